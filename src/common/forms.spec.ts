import { IsString } from 'class-validator';
import { MultiLine, validateForm } from './forms';

class NoteForm {
  @IsString()
  title: string;

  @IsString()
  @MultiLine()
  note: string;
}

class LongerNoteForm extends NoteForm {
  @IsString()
  tag: string;
}

describe(validateForm.name, () => {
  it.each(['\u0001', '\u0000', '\u001b', '\u007f', '\t', '\n', '\r'])(
    'should refuse %j in a one-line field, naming the character',
    async (control) => {
      const { errors } = await validateForm(NoteForm, { title: `A${control}B`, note: 'ok' });
      const code = control.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      expect(errors.title).toBe(
        `Remove the control character U+${code} from this field (it takes one line of text).`,
      );
    },
  );

  it('should let a multi-line field, also an inherited one, hold line breaks and tabs but no other controls', async () => {
    const fine = await validateForm(LongerNoteForm, {
      title: 'T',
      tag: 'x',
      note: 'line one\r\n\tline two',
    });
    expect(fine.errors).toEqual({});
    const bad = await validateForm(LongerNoteForm, { title: 'T', tag: 'x', note: 'bell\u0007' });
    expect(bad.errors).toEqual({ note: 'Remove the control character U+0007 from this field.' });
  });
});
