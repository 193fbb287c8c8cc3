import { ArgumentsHost, NotFoundException } from '@nestjs/common';
import { HtmlExceptionFilter } from './html-exception.filter';

function fakeHost() {
  const res = {
    headersSent: false,
    statusCode: 0,
    view: '',
    model: {} as Record<string, unknown>,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    render(view: string, model: Record<string, unknown>) {
      this.view = view;
      this.model = model;
    },
    end: jest.fn(),
  };
  const host = {
    switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({}) }),
  } as unknown as ArgumentsHost;
  return { res, host };
}

describe(HtmlExceptionFilter.name, () => {
  const sut = new HtmlExceptionFilter();
  jest.spyOn(sut['logger'], 'error').mockImplementation(() => undefined);

  it('should render an unexpected error as a 500 page without its stack or message', () => {
    const { res, host } = fakeHost();
    sut.catch(new Error('SQLITE_IOERR at /srv/app/secret.ts:42'), host);
    expect(res.statusCode).toBe(500);
    expect(res.view).toBe('errors/error');
    expect(JSON.stringify(res.model)).not.toMatch(/SQLITE_IOERR|secret\.ts/);
    expect(res.model.message).toContain('Nothing was saved');
  });

  it('should keep the status and message of an HTTP exception', () => {
    const { res, host } = fakeHost();
    sut.catch(new NotFoundException('Grant 9 does not exist.'), host);
    expect(res.statusCode).toBe(404);
    expect(res.model).toMatchObject({
      title: 'Page not found',
      message: 'Grant 9 does not exist.',
    });
  });
});
