import { pageText } from './html';

/** The GET form on a page whose action is `action` (throws when there is none). */
function getForm(html: string, action: string): string {
  const forms = html.match(/<form\b[^>]*>[\s\S]*?<\/form>/gi) ?? [];
  const form = forms.find(
    (f) => /method="get"/i.test(f.slice(0, f.indexOf('>'))) && f.includes(`action="${action}"`),
  );
  if (!form) throw new Error(`No GET form for ${action} on the page`);
  return form;
}

/**
 * What a refused GET filter must show (issue 15): the form again, the field's control marked
 * invalid and pointing at its message, the message beside it and nowhere else on the page, and
 * (for a text or date input) the value as typed.
 */
export function expectFieldRefused(
  html: string,
  {
    action,
    name,
    message,
    typed,
  }: { action: string; name: string; message: string; typed?: string },
): void {
  const form = getForm(html, action);
  const control = new RegExp(`<(?:input|select)\\b[^>]*\\bname="${name}"[^>]*>`).exec(form)?.[0];
  expect(control).toBeDefined();
  expect(control).toContain('aria-invalid="true"');
  const describedBy = /aria-describedby="([^"]*)"/.exec(control!)?.[1] ?? '';
  const errorId = describedBy.split(' ').find((id) => id.endsWith('-error'));
  expect(errorId).toBeDefined();
  const shown = new RegExp(
    `<span class="usa-error-message" id="${errorId}"[^>]*>([^<]*)</span>`,
  ).exec(form)?.[1];
  expect(pageText(shown ?? '')).toContain(message);
  expect(form).toContain('usa-form-group--error');
  expect(pageText(html).split(message)).toHaveLength(2);
  if (typed !== undefined) expect(control).toContain(`value="${typed}"`);
}
