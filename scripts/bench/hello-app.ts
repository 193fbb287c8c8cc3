import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/**
 * The grants list's reference: a bare NestJS hello-world (Express, no middleware, no logger), started
 * inside the app's own process by preloading this file (`node -r …/hello-app.js dist/src/main.js`),
 * so both share one event loop and one CPU budget. It listens on BENCH_HELLO_PORT.
 */
@Controller()
class HelloController {
  @Get()
  hello(): string {
    return 'Hello World!';
  }
}

@Module({ controllers: [HelloController] })
class HelloModule {}

async function start(): Promise<void> {
  const app = await NestFactory.create(HelloModule, { logger: false });
  await app.listen(Number(process.env.BENCH_HELLO_PORT), '127.0.0.1');
}

void start();

// With --cpu-prof (npm run bench -- --profile DIR), Node writes the profile only on a normal exit.
if (process.execArgv.includes('--cpu-prof')) process.once('SIGUSR2', () => process.exit(0));
