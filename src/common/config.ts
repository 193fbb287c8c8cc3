import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsString,
  Max,
  Min,
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
  return config;
}
