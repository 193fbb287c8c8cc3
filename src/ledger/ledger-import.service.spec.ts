import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateForm } from '../common/forms';
import { PROJECT_ROOT } from '../common/views';
import { ExpenditureFormDto } from './dto/expenditure-form.dto';
import {
  ImportFileError,
  LedgerImportService,
  MAX_IMPORT_ROWS,
  parseImportFile,
} from './ledger-import.service';

const HEADER = 'award_number,budget_period,category,incurred_on,amount,share,reference,memo';
const file = (text: string, name = 'entries.csv') => ({ name, bytes: Buffer.from(text) });

describe(LedgerImportService.name, () => {
  describe('parseImportFile', () => {
    it('should read each row’s values by column name, trimmed, with the line it starts on', () => {
      const sut = parseImportFile(
        file(
          `${HEADER}\r\n` +
            'DE-SC1, 1 ,supplies,2026-01-05,"1,200.00",federal,INV-1,"Resin,\r\n20 kg"\r\n' +
            '\r\n' +
            'DE-SC2,2,travel,2026-02-06,15.00,cost_share,TR-9,\r\n',
        ),
      );
      expect(sut).toEqual([
        {
          line: 2,
          shapeError: null,
          values: {
            award_number: 'DE-SC1',
            budget_period: '1',
            category: 'supplies',
            incurred_on: '2026-01-05',
            amount: '1,200.00',
            share: 'federal',
            reference: 'INV-1',
            memo: 'Resin,\r\n20 kg',
          },
        },
        {
          line: 5,
          shapeError: null,
          values: {
            award_number: 'DE-SC2',
            budget_period: '2',
            category: 'travel',
            incurred_on: '2026-02-06',
            amount: '15.00',
            share: 'cost_share',
            reference: 'TR-9',
            memo: '',
          },
        },
      ]);
    });

    it('should accept a BOM, any column order and header case, and count lines with multibyte text', () => {
      const [row] = parseImportFile(
        file(
          '\uFEFFMemo,Reference,SHARE,amount,incurred_on,category,budget_period,award_number\n\n' +
            'Café “tests”,R-1,federal,5,2026-01-01,other,1,DE-SC9\n',
        ),
      );
      expect(row.line).toBe(3);
      expect(row.values).toMatchObject({
        memo: 'Café “tests”',
        award_number: 'DE-SC9',
        amount: '5',
      });
    });

    it('should flag a row with too few or too many values instead of guessing', () => {
      const [short, long] = parseImportFile(
        file(`${HEADER}\nDE-SC1,1,supplies\nDE-SC1,1,supplies,2026-01-05,1.00,federal,R,m,extra\n`),
      );
      expect(short.shapeError).toBe(
        'This row has 3 values; the header names 8 columns. Check for a missing or extra comma (a value containing a comma must be in double quotes).',
      );
      expect(long.shapeError).toMatch(/^This row has 9 values/);
    });

    it.each([
      [
        'a missing column',
        'award_number,budget_period,category,incurred_on,amount,share,reference\nx',
        'missing memo',
      ],
      ['an unknown column', `${HEADER},notes\n`, 'unknown “notes”'],
      ['a repeated column', `${HEADER},memo\n`, 'repeated memo'],
    ])('should refuse a header with %s', (_case, text, problem) => {
      expect(() => parseImportFile(file(text))).toThrow(ImportFileError);
      expect(() => parseImportFile(file(text))).toThrow(problem);
    });

    it('should refuse files that are not UTF-8 CSV text', () => {
      expect(() => parseImportFile(file(`${HEADER}\n`, 'entries.txt'))).toThrow(
        'entries.txt is not a .csv file',
      );
      expect(() => parseImportFile(file(`${HEADER}\n\u0000\n`))).toThrow('contains binary data');
      expect(() =>
        parseImportFile({ name: 'a.csv', bytes: Buffer.from([0xc3, 0x28, 0x0a]) }),
      ).toThrow('not UTF-8 text');
      expect(() => parseImportFile(file('\n\n'))).toThrow('The file is empty.');
    });

    it(`should take at most ${MAX_IMPORT_ROWS} rows`, () => {
      const row = 'DE-SC1,1,supplies,2026-01-05,1.00,federal,R,\n';
      expect(parseImportFile(file(HEADER + '\n' + row.repeat(MAX_IMPORT_ROWS)))).toHaveLength(
        MAX_IMPORT_ROWS,
      );
      expect(() => parseImportFile(file(HEADER + '\n' + row.repeat(MAX_IMPORT_ROWS + 1)))).toThrow(
        'The file has 5,001 rows; import at most 5,000 at a time.',
      );
    });
  });

  describe('the documented sample file', () => {
    it('should parse, every row passing the form’s format checks', async () => {
      const path = join(PROJECT_ROOT, 'docs', 'ledger-import-sample.csv');
      const sut = parseImportFile({ name: 'ledger-import-sample.csv', bytes: readFileSync(path) });
      expect(sut.length).toBeGreaterThanOrEqual(5);
      for (const row of sut) {
        expect(row.shapeError).toBeNull();
        const { errors } = await validateForm(ExpenditureFormDto, {
          grantId: '1',
          budgetPeriod: row.values.budget_period,
          category: row.values.category,
          incurredOn: row.values.incurred_on,
          amount: row.values.amount,
          share: row.values.share,
          reference: row.values.reference,
          memo: row.values.memo,
        });
        expect({ line: row.line, errors }).toEqual({ line: row.line, errors: {} });
      }
      expect(new Set(sut.map((row) => row.values.share))).toEqual(
        new Set(['federal', 'cost_share']),
      );
    });
  });
});
