/** JSON files are bundled by esbuild's JSON loader (and by Vite in the tests). */
declare module "*.json" {
  const value: Record<string, string>;
  export default value;
}
