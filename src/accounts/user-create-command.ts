import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import type { CommandResult } from '../audit/verify-command';
import { AppConfig } from '../common/config';
import { FormError, validateForm } from '../common/forms';
import { runAs, SYSTEM_ACTOR } from '../common/request-context';
import { CreateUserDto } from './dto/create-user.dto';
import { ROLES } from './user.entity';
import { UsersService } from './users.service';

export const USER_CREATE_USAGE = [
  'Usage: npm run user:create -- --email name@example.gov --role admin|program_manager|auditor [--name "Full Name"]',
  'The password is read from the USER_PASSWORD environment variable, or else asked for on the terminal.',
].join('\n');

/** Where the password prompt reads and writes; a terminal unless a test says otherwise. */
export interface PromptIo {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

class PromptCancelled extends Error {}

const fail = (message: string): CommandResult => ({ exitCode: 1, message });

/**
 * `npm run user:create`: creates an account (the first admin, typically) as the `system` actor, with
 * the same password policy and audit event as the admin pages.
 */
export async function createUserCommand(
  argv: string[],
  env: Record<string, string | undefined>,
  config: AppConfig,
  io: PromptIo = { input: process.stdin, output: process.stderr },
): Promise<CommandResult> {
  let options: { email?: string; role?: string; name?: string; help?: boolean };
  try {
    options = parseArgs({
      args: argv,
      options: {
        email: { type: 'string' },
        role: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    return fail(`${error instanceof Error ? error.message : String(error)}\n${USER_CREATE_USAGE}`);
  }
  if (options.help) return { exitCode: 0, message: USER_CREATE_USAGE };
  if (!options.email || !options.role) {
    return fail(`Both --email and --role are required.\n${USER_CREATE_USAGE}`);
  }
  if (!(ROLES as readonly string[]).includes(options.role)) {
    return fail(`--role must be one of ${ROLES.join(', ')} (got "${options.role}").`);
  }

  // Everything but the password is checked before asking for it.
  const fields = { email: options.email, role: options.role, name: options.name ?? options.email };
  const { value: form, errors } = await validateForm(CreateUserDto, { ...fields, password: '' });
  if (Object.keys(errors).length > 0) return fail(Object.values(errors).join('\n'));

  let password = env.USER_PASSWORD;
  if (!password) {
    if (!io.input.isTTY) {
      return fail(
        'No password given: set USER_PASSWORD, or run the command in a terminal to be asked for one.',
      );
    }
    try {
      password = await askHidden(`Password for ${form.email}: `, io);
      const again = await askHidden('Repeat the password: ', io);
      if (password !== again) return fail('The passwords do not match; no account was created.');
    } catch (error) {
      if (error instanceof PromptCancelled) {
        return { exitCode: 130, message: 'Cancelled; no account was created.' };
      }
      throw error;
    }
  }
  form.password = password;

  const context = await NestFactory.createApplicationContext(
    AppModule.forRoot({ ...config, SEED_DEMO: false }),
    { logger: false },
  );
  try {
    const users = context.get(UsersService);
    const user = await runAs(SYSTEM_ACTOR, () => users.create(form));
    return { exitCode: 0, message: `Created ${user.role} account ${user.email}.` };
  } catch (error) {
    if (error instanceof FormError) return fail(Object.values(error.errors).join('\n'));
    throw error;
  } finally {
    await context.close();
  }
}

/** Reads one line from the terminal without echoing it. Ctrl-C cancels. */
function askHidden(question: string, io: PromptIo): Promise<string> {
  return new Promise((resolve, reject) => {
    let muted = false;
    const sink = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        if (!muted) io.output.write(chunk);
        callback();
      },
    });
    const rl = createInterface({ input: io.input, output: sink, terminal: true, historySize: 0 });
    rl.on('SIGINT', () => {
      rl.close();
      io.output.write('\n');
      reject(new PromptCancelled());
    });
    rl.question(question, (answer) => {
      rl.close();
      io.output.write('\n');
      resolve(answer);
    });
    // The prompt has been written; what the user types is not.
    muted = true;
  });
}
