/**
 * The labelling exercise on a comment card: one toggle chip per label of `w.label_set`.
 *
 * A student sees (and sets) only their own label; a moderator (the teacher) also sees how many
 * users chose each label. Clicking the chip of the current label clears it. The view turns a click
 * into a `label` operation with `labelOp` (Python decides; a refusal comes back as a reject).
 */
import type { Comment, LabelOp } from "../protocol";
import { h } from "./dom";
import type { ControlState } from "./votes";

/** What the label picker needs: the same as the vote controls. */
export type LabelState = ControlState;

/** How many users chose each label on a comment. */
export function labelCounts(c: Comment): Map<string, number> {
  const out = new Map<string, number>();
  for (const label of Object.values(c.labels)) out.set(label, (out.get(label) ?? 0) + 1);
  return out;
}

/** The label picker of a card, or null where labelling does not apply (off, reader, gone). */
export function labelPicker(s: LabelState): HTMLElement | null {
  const set = s.cfg.label_set ?? [];
  const c = s.comment;
  const moderator = s.role === "moderator";
  if (set.length === 0 || s.readOnly || s.unconfirmed || s.role === "reader") return null;
  // the kernel refuses labels on deleted comments, and on moderated ones from non-moderators
  if (c.status === "deleted" || (c.status !== "visible" && !moderator)) return null;
  const f = s.fmt;
  const mine = s.user === "" ? undefined : c.labels[s.user];
  const counts = moderator ? labelCounts(c) : null;
  const group = h("div", {
    class: "tw-labels",
    role: "group",
    "data-role": "labels",
    "aria-label": f.t("labels_group"),
  });
  for (const label of set) {
    const on = label === mine;
    const chip = h(
      "button",
      {
        type: "button",
        class: `tw-label-chip${on ? " tw-pressed" : ""}`,
        "data-action": "label",
        "data-label": label,
        "aria-pressed": on ? "true" : "false",
        title: on ? f.t("label_clear", { label }) : f.t("label_pick", { label }),
      },
      label,
    );
    if (counts) {
      const n = counts.get(label) ?? 0;
      chip.append(
        h(
          "span",
          { class: "tw-label-count", "data-role": "label-count", title: f.count("label_count", n, { label }) },
          f.num(n),
        ),
      );
      chip.setAttribute("aria-label", `${label}, ${f.count("label_count", n, { label })}`);
    }
    group.append(chip);
  }
  return group;
}

/** The operation for a click on a label chip: set that label, or clear it when it is the current one. */
export function labelOp(c: Comment | undefined, label: string | undefined, user: string): LabelOp | null {
  if (!c || !label) return null;
  return { type: "label", id: c.id, label: c.labels[user] === label ? null : label };
}
