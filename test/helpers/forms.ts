import type { Agent } from './test-app';

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** Undoes Handlebars' escaping of an attribute or text. */
const decode = (text: string) =>
  text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return String.fromCodePoint(code);
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });

const attribute = (tag: string, name: string): string | undefined => {
  const match = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return match ? decode(match[1]) : undefined;
};

/**
 * The fields a browser would send for the POST form on a page whose action is `action`: each input
 * with its value (checkboxes and radios only when checked), each select's selected option (or its
 * first), each textarea's text. Buttons are left out. Throws when the page has no such form.
 */
export function formFields(html: string, action: string): Array<[string, string]> {
  const forms = html.match(/<form\b[^>]*>[\s\S]*?<\/form>/gi) ?? [];
  const form = forms.find((f) => attribute(f.slice(0, f.indexOf('>') + 1), 'action') === action);
  if (!form) throw new Error(`No form posting to ${action} on the page`);
  const fields: Array<[string, string]> = [];
  for (const match of form.matchAll(
    /<input\b[^>]*>|<select\b[^>]*>[\s\S]*?<\/select>|<textarea\b[^>]*>[\s\S]*?<\/textarea>/gi,
  )) {
    const element = match[0];
    const tag = element.slice(0, element.indexOf('>') + 1);
    const name = attribute(tag, 'name');
    if (!name || /\sdisabled[\s>=]/i.test(tag)) continue;
    if (/^<input/i.test(element)) {
      const type = (attribute(tag, 'type') ?? 'text').toLowerCase();
      if (['submit', 'button', 'reset', 'file', 'image'].includes(type)) continue;
      if ((type === 'checkbox' || type === 'radio') && !/\schecked[\s>=/]/i.test(tag)) continue;
      fields.push([name, attribute(tag, 'value') ?? (type === 'checkbox' ? 'on' : '')]);
    } else if (/^<select/i.test(element)) {
      const options = [...element.matchAll(/<option\b[^>]*>/gi)].map((o) => o[0]);
      const chosen = options.find((o) => /\sselected[\s>=]/i.test(o)) ?? options[0];
      if (chosen !== undefined) fields.push([name, attribute(chosen, 'value') ?? '']);
    } else {
      const text = /<textarea\b[^>]*>([\s\S]*?)<\/textarea>/i.exec(element)?.[1] ?? '';
      fields.push([name, decode(text.replace(/^\n/, ''))]);
    }
  }
  return fields;
}

/**
 * Opens `page`, fills in its form posting to `action` as a person would — what the form already
 * holds, with `changes` typed over it (a name not yet on the form is added; null clears every field
 * of that name, as unticking all its boxes) — and submits it.
 */
export async function submitPageForm(
  agent: Agent,
  page: string,
  action: string,
  changes: Record<string, string | null> = {},
) {
  const html = (await agent.get(page)).text;
  const fields = formFields(html, action).filter(([name]) => !(name in changes));
  const typed = Object.entries(changes).filter((c): c is [string, string] => c[1] !== null);
  const body = new URLSearchParams([...fields, ...typed]);
  return agent.post(action).type('form').send(body.toString());
}

/**
 * Reverses ledger entry `id` as a person does: the reason on the entry page, then "Reverse entry" on
 * the confirmation page it leads to. Returns the confirmation's answer, or the first step's when that
 * refused (not 200).
 */
export async function reverseEntry(agent: Agent, id: number, reason: string) {
  const confirmation = await agent.post(`/ledger/${id}/reverse`).type('form').send({ reason });
  if (confirmation.status !== 200) return confirmation;
  const action = `/ledger/${id}/reverse/confirm`;
  const fields = new URLSearchParams(formFields(confirmation.text, action));
  return agent.post(action).type('form').send(fields.toString());
}
