/**
 * The voting UI of `w.voting` on a comment card: ▲ score ▼ for "updown", one chip per reaction
 * for a reaction set; "likes" keeps the card's like button (this module returns null).
 *
 * One vote per user: pressing the pressed choice retracts it, pressing another switches to it.
 * The view turns a click into a `vote` operation with `voteOp` (sent through `store.submit`, so
 * it shows at once as pending; Python decides). Readers see the counts without buttons.
 */
import type { Comment, Config, Role, VoteChoice, VoteOp } from "../protocol";
import type { Fmt } from "../strings";
import { h } from "./dom";

/** How many names the tooltip of a reaction lists before "and N others". */
export const NAMES_SHOWN = 5;

/** What a per-comment control (votes, labels) needs to know to draw itself. */
export interface ControlState {
  comment: Comment;
  user: string;
  cfg: Partial<Config>;
  role: Role;
  readOnly: boolean;
  /** an own comment the kernel has not confirmed yet (takes no votes or labels) */
  unconfirmed: boolean;
  fmt: Fmt;
}

/** The operation for a click on `choice`: set it, or retract it when it is already this user's. */
export function voteOp(c: Comment, user: string, choice: string): VoteOp {
  return { type: "vote", id: c.id, choice: c.votes[user] === choice ? null : choice };
}

/** Who chose what: choice key -> users, in the order they voted. */
export function tally(c: Comment): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [user, choice] of Object.entries(c.votes)) {
    const list = out.get(choice);
    if (list) list.push(user);
    else out.set(choice, [user]);
  }
  return out;
}

/** "Agree: Ann, Bo and 3 others" (the first NAMES_SHOWN names). */
function whoTitle(label: string, users: string[], f: Fmt): string {
  if (users.length === 0) return label;
  let names = users.slice(0, NAMES_SHOWN).join(", ");
  if (users.length > NAMES_SHOWN) names += ` ${f.count("and_others", users.length - NAMES_SHOWN)}`;
  return f.t("reacted_by", { label, names });
}

/** A vote control: a toggle button, or (for readers) a plain span. */
function control(
  interactive: boolean,
  cls: string,
  choice: string,
  pressed: boolean,
  label: string,
  title: string,
  ...kids: (Node | string)[]
): HTMLElement {
  if (!interactive) return h("span", { class: `${cls} tw-static`, title }, ...kids);
  return h(
    "button",
    {
      type: "button",
      class: `${cls}${pressed ? " tw-pressed" : ""}`,
      "data-action": "vote",
      "data-choice": choice,
      "aria-pressed": pressed ? "true" : "false",
      "aria-label": label,
      title,
    },
    ...kids,
  );
}

function upDown(s: ControlState, choices: VoteChoice[], interactive: boolean): HTMLElement {
  const f = s.fmt;
  const counts = tally(s.comment);
  const up = counts.get("up")?.length ?? 0;
  const down = counts.get("down")?.length ?? 0;
  const score = up - down;
  const mine = s.user === "" ? undefined : s.comment.votes[s.user];
  const icon = (key: string, dflt: string) => choices.find((c) => c.key === key)?.icon ?? dflt;
  const title = f.t("score_title", { score, up, down });
  const arrow = (key: "up" | "down", label: string) =>
    control(
      interactive,
      `tw-vote tw-vote-${key}`,
      key,
      mine === key,
      label,
      label,
      h("span", { "aria-hidden": "true" }, icon(key, key === "up" ? "▲" : "▼")),
    );
  return h(
    "span",
    { class: "tw-votes tw-updown", role: "group", "data-role": "votes", "aria-label": f.t("votes_group") },
    arrow("up", f.t("vote_up")),
    h(
      "span",
      { class: `tw-score${score > 0 ? " tw-positive" : score < 0 ? " tw-negative" : ""}`, "data-role": "score", title },
      f.num(score),
    ),
    arrow("down", f.t("vote_down")),
  );
}

function reactions(s: ControlState, choices: VoteChoice[], interactive: boolean): HTMLElement {
  const f = s.fmt;
  const counts = tally(s.comment);
  const mine = s.user === "" ? undefined : s.comment.votes[s.user];
  const group = h("span", {
    class: "tw-votes tw-reactions",
    role: "group",
    "data-role": "votes",
    "aria-label": f.t("reactions_group"),
  });
  for (const choice of choices) {
    const users = counts.get(choice.key) ?? [];
    const n = users.length;
    if (!interactive && n === 0) continue; // readers see the reactions there are
    const kids: Node[] = [h("span", { class: "tw-reaction-icon", "aria-hidden": "true" }, choice.icon)];
    if (n > 0) kids.push(h("span", { class: "tw-reaction-count", "data-role": "reaction-count" }, f.num(n)));
    const el = control(
      interactive,
      "tw-reaction",
      choice.key,
      mine === choice.key,
      f.t("reaction_label", { label: choice.label, n }),
      whoTitle(choice.label, users, f),
      ...kids,
    );
    el.dataset.choice = choice.key;
    group.append(el);
  }
  return group;
}

/** The votes of a card for `w.voting` "updown" or reactions; null for likes (the card keeps its like button). */
export function renderVotes(s: ControlState): HTMLElement | null {
  const voting = s.cfg.voting;
  if (!voting || voting.kind === "likes") return null;
  const c = s.comment;
  const moderator = s.role === "moderator";
  // the kernel refuses votes on moderated comments from non-moderators, and from readers
  const interactive =
    !s.readOnly && !s.unconfirmed && s.role !== "reader" && s.user !== "" && (c.status === "visible" || moderator);
  return voting.kind === "updown" ? upDown(s, voting.choices, interactive) : reactions(s, voting.choices, interactive);
}
