/** The few Node APIs the oracle-backed tests use (the project has no Node types). */
declare module "node:child_process" {
  export interface SpawnSyncResult {
    status: number | null;
    stdout: string;
    stderr: string;
    error?: Error;
  }
  export function spawnSync(
    command: string,
    args: readonly string[],
    options: { input: string; encoding: "utf8"; maxBuffer: number; cwd?: string },
  ): SpawnSyncResult;
}
declare module "node:process" {
  const process: { env: Record<string, string | undefined> };
  export default process;
}
