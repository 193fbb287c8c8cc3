import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toBoolean = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && /^(true|1|yes)$/i.test(value)) return true;
  if (typeof value === 'string' && /^(false|0|no)$/i.test(value)) return false;
  return value;
};

const toInteger = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Every setting the app reads from the environment, validated once at boot. */
export class AppConfig {
  @Transform(toInteger)
  @IsInt({ message: 'PORT must be a whole number between 0 and 65535' })
  @Min(0, { message: 'PORT must be a whole number between 0 and 65535' })
  @Max(65535, { message: 'PORT must be a whole number between 0 and 65535' })
  PORT = 3000;

  @IsString()
  @IsNotEmpty({ message: 'HOST must not be empty' })
  HOST = '127.0.0.1';

  @IsString()
  @IsNotEmpty({ message: 'DATABASE_PATH must be a file path' })
  DATABASE_PATH = './data/tracker.sqlite';

  /**
   * A PostgreSQL database (postgres://user:password@host:port/name): when set, the app runs on it
   * instead of the SQLite file, and several app processes may share it.
   */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/i, {
    message:
      'DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/tracker',
  })
  DATABASE_URL?: string = undefined;

  @Transform(toBoolean)
  @IsBoolean({ message: 'SEED_DEMO must be true or false' })
  SEED_DEMO = true;

  @IsIn(['development', 'production', 'test'], {
    message: 'NODE_ENV must be development, production or test',
  })
  NODE_ENV = 'development';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL = 'info';

  @IsString()
  APP_TIME_ZONE = 'America/New_York';

  /** Signs the session cookie. Required in production; elsewhere a random one per start. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'SESSION_SECRET must be at least 32 characters' })
  SESSION_SECRET?: string = undefined;

  @Transform(toInteger)
  @IsInt({ message: 'SESSION_IDLE_MINUTES must be a whole number of minutes (1 or more)' })
  @Min(1, { message: 'SESSION_IDLE_MINUTES must be a whole number of minutes (1 or more)' })
  SESSION_IDLE_MINUTES = 30;

  @Transform(toInteger)
  @IsInt({ message: 'SESSION_ABSOLUTE_HOURS must be a whole number of hours (1 or more)' })
  @Min(1, { message: 'SESSION_ABSOLUTE_HOURS must be a whole number of hours (1 or more)' })
  SESSION_ABSOLUTE_HOURS = 12;

  /** Set when the app is served over HTTPS: the session cookie is then sent only over HTTPS. */
  @Transform(toBoolean)
  @IsBoolean({ message: 'COOKIE_SECURE must be true or false' })
  COOKIE_SECURE = false;

  /** Set behind a reverse proxy so login throttling sees the client's address. */
  @Transform(toBoolean)
  @IsBoolean({ message: 'TRUST_PROXY must be true or false' })
  TRUST_PROXY = false;

  @Transform(toInteger)
  @IsInt({ message: 'LOGIN_MAX_FAILURES must be a whole number (1 or more)' })
  @Min(1, { message: 'LOGIN_MAX_FAILURES must be a whole number (1 or more)' })
  LOGIN_MAX_FAILURES = 5;

  @Transform(toInteger)
  @IsInt({ message: 'LOGIN_WINDOW_MINUTES must be a whole number of minutes (1 or more)' })
  @Min(1, { message: 'LOGIN_WINDOW_MINUTES must be a whole number of minutes (1 or more)' })
  LOGIN_WINDOW_MINUTES = 15;

  /** First start only: creates this admin when there are no users. */
  @IsOptional()
  @IsEmail({}, { message: 'ADMIN_EMAIL must be an email address' })
  ADMIN_EMAIL?: string = undefined;

  @IsOptional()
  @IsString()
  ADMIN_PASSWORD?: string = undefined;

  /**
   * An expenditure, or an import whose rows total, above this many dollars is a request that an
   * approving official must approve before it is in the ledger; at or below it, it posts at once.
   */
  @Matches(/^\d{1,12}(\.\d{2})?$/, {
    message: 'APPROVAL_THRESHOLD must be an amount in dollars such as 25000.00',
  })
  APPROVAL_THRESHOLD = '25000.00';

  /** A request pending this many days becomes a deadline of its approvers (inbox, digest, calendar). */
  @Transform(toInteger)
  @IsInt({ message: 'REQUEST_REMINDER_DAYS must be a whole number of days (1 or more)' })
  @Min(1, { message: 'REQUEST_REMINDER_DAYS must be a whole number of days (1 or more)' })
  REQUEST_REMINDER_DAYS = 5;

  /**
   * The SMTP server of the daily digest (smtp://user:password@host:587 or smtps://…); without it no
   * e-mail is sent, and the inbox works as ever.
   */
  @IsOptional()
  @Matches(/^smtps?:\/\/\S+$/i, {
    message: 'SMTP_URL must be an SMTP URL such as smtp://user:password@mail.example.gov:587',
  })
  SMTP_URL?: string = undefined;

  @IsEmail({ require_tld: false }, { message: 'SMTP_FROM must be an e-mail address' })
  SMTP_FROM = 'grant-tracker@localhost';

  /** The office hour (APP_TIME_ZONE, 0–23) after which each day's digest is sent. */
  @Transform(toInteger)
  @IsInt({ message: 'DIGEST_HOUR must be a whole hour from 0 to 23' })
  @Min(0, { message: 'DIGEST_HOUR must be a whole hour from 0 to 23' })
  @Max(23, { message: 'DIGEST_HOUR must be a whole hour from 0 to 23' })
  DIGEST_HOUR = 7;

  /** Where users reach the app: the links in digests and calendar events start with it (no trailing `/`). */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.replace(/\/+$/, '') : value,
  )
  @Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/i, {
    message: 'APP_URL must be the address users open, such as https://tracker.example.gov',
  })
  APP_URL = 'http://127.0.0.1:3000';

  /** Password of the demo accounts; when unset, a random one is printed once at seeding. */
  @IsOptional()
  @IsString()
  DEMO_PASSWORD?: string = undefined;
}

/** APPROVAL_THRESHOLD in cents. */
export function approvalThresholdCents(config: Pick<AppConfig, 'APPROVAL_THRESHOLD'>): number {
  const [dollars, cents = '00'] = config.APPROVAL_THRESHOLD.split('.');
  return Number(dollars) * 100 + Number(cents);
}

export class ConfigError extends Error {}

const KEYS = Object.keys(new AppConfig()) as (keyof AppConfig)[];

/** Reads and validates the environment; throws one clear line naming the bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const given = Object.fromEntries(
    KEYS.filter((key) => env[key] !== undefined && env[key] !== '').map((key) => [key, env[key]]),
  );
  const config = plainToInstance(AppConfig, given);
  const [first] = validateSync(config);
  if (first) {
    const message = Object.values(first.constraints ?? {})[0] ?? 'is invalid';
    throw new ConfigError(
      `Invalid configuration: ${message} (got ${JSON.stringify(env[first.property])}).`,
    );
  }
  if (!isTimeZone(config.APP_TIME_ZONE)) {
    throw new ConfigError(
      `Invalid configuration: APP_TIME_ZONE must be an IANA time zone such as America/New_York (got ${JSON.stringify(config.APP_TIME_ZONE)}).`,
    );
  }
  if (config.NODE_ENV === 'production' && !config.SESSION_SECRET) {
    throw new ConfigError(
      'Invalid configuration: SESSION_SECRET must be set (32+ characters) when NODE_ENV is production.',
    );
  }
  if (Boolean(config.ADMIN_EMAIL) !== Boolean(config.ADMIN_PASSWORD)) {
    throw new ConfigError(
      'Invalid configuration: ADMIN_EMAIL and ADMIN_PASSWORD must be set together.',
    );
  }
  return config;
}
