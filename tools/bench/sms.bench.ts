// SMS webhook benchmark: signed Twilio inbound-SMS webhooks POSTed at a fixed concurrency to the real sms service, in
// this process (signature check, normalization, receipt and raw body in the real FerretDB, publish acknowledged by the
// real Kafka with acks=all), next to a bare NestJS + Fastify endpoint that parses the same form bodies and answers the
// same empty TwiML (the baseline), same load, same run. Then checks that every accepted webhook reached
// ponte.inbound.message.v1. Human-readable lines, then one JSON line (the last line) for scripts.
// Usage: npm run bench:sms -- [--requests 3000] [--concurrency 16] [--warmup 200] [--timeout-s 300]
// (--timeout-s bounds everything after the servers are up; startLocalInfra bounds their start-up itself.)
import { randomBytes, randomUUID } from 'node:crypto';
import { BadRequestException, Body, Controller, HttpCode, Module, Post, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Topics } from '@ponte/contracts';
import { startLocalInfra } from '@ponte/local-infra';
import { ConsumerRunner, type MessagingOptions } from '@ponte/messaging';
import { createServiceApp, loadConfig } from '@ponte/platform';
import { FakeTwilioServer } from '@ponte/testing';
import type { FastifyReply } from 'fastify';
import { MongoClient } from 'mongodb';
import { getExpectedTwilioSignature } from 'twilio';
import { SmsConfig } from '../../apps/sms/src/config/sms.config';
import { smsService } from '../../apps/sms/src/sms.definition';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  inboundSmsParams,
  PUBLIC_BASE_URL,
} from '../../apps/sms/src/testing/sms.harness';
import { EMPTY_TWIML } from '../../apps/sms/src/twilio/twilio-webhook.controller';
import { argument, hardStopAfter } from './bench-args';
import { describeMeasured, type LoadRequest, type Measured, measureLoad } from './http-load';

const WEBHOOK_PATH = '/webhooks/twilio/messages';
const CUSTOMERS = 1_000;

/**
 * Webhooks `from`…`from + count - 1` of this run: an inbound SMS with the parameters Twilio documents, a MessageSid
 * unique to the run (`SM` + run id + index, 32 hex digits like Twilio's), signed as Twilio signs it.
 */
function webhooks(runId: string, from: number, count: number): LoadRequest[] {
  return Array.from({ length: count }, (_, offset) => {
    const index = from + offset;
    const sid = `SM${runId}${index.toString(16).padStart(24, '0')}`;
    const params = inboundSmsParams({
      MessageSid: sid,
      Body: `Olá, preciso de ajuda com o pedido ${index}`,
      From: `+55119${String(70_000_000 + (index % CUSTOMERS)).padStart(8, '0')}`,
    });
    return {
      body: new URLSearchParams(params).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': getExpectedTwilioSignature(
          AUTH_TOKEN,
          `${PUBLIC_BASE_URL}${WEBHOOK_PATH}`,
          params,
        ),
        'i-twilio-idempotency-token': randomUUID(),
        'user-agent': 'TwilioProxy/1.1',
      },
    };
  });
}

@Controller('webhooks/twilio')
class BareWebhookController {
  @Post('messages')
  @HttpCode(200)
  message(
    @Body() params: Record<string, string | undefined>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string {
    if (!params['MessageSid']) throw new BadRequestException('MessageSid is required');
    void reply.header('content-type', 'text/xml; charset=utf-8');
    return EMPTY_TWIML;
  }
}

@Module({ controllers: [BareWebhookController] })
class BareWebhookModule {}

/** Warm-up then measured run at the same concurrency; a 2xx must carry the empty TwiML. */
function drive(
  url: string,
  warmup: readonly LoadRequest[],
  measured: readonly LoadRequest[],
  concurrency: number,
  deadline: number,
): Promise<Measured> {
  return measureLoad({ url, concurrency, deadline, expectedBody: EMPTY_TWIML }, warmup, measured);
}

/** The same framework with the service's adapter settings (body limit, raw body kept), and nothing else. */
async function runBaseline(
  warmup: readonly LoadRequest[],
  measured: readonly LoadRequest[],
  concurrency: number,
  deadline: number,
): Promise<Measured> {
  const app = await NestFactory.create<NestFastifyApplication>(
    BareWebhookModule,
    new FastifyAdapter({ bodyLimit: 1_048_576 }),
    { rawBody: true, logger: ['error', 'warn'] },
  );
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    return await drive(`${await app.getUrl()}${WEBHOOK_PATH}`, warmup, measured, concurrency, deadline);
  } finally {
    await app.close();
  }
}

async function runSms(
  brokers: string,
  mongoUrl: string,
  runId: string,
  warmup: readonly LoadRequest[],
  measured: readonly LoadRequest[],
  concurrency: number,
  deadline: number,
) {
  const prefix = `bench-${runId}.`;
  const url = new URL(mongoUrl);
  url.pathname = `/bench_sms_${runId}`;
  // Twilio is never called for inbound SMS without media; should anything try, it reaches this loopback fake.
  const twilio = await FakeTwilioServer.start(ACCOUNT_SID, AUTH_TOKEN);
  const env = {
    KAFKA_BROKERS: brokers,
    MONGO_URL: url.toString(),
    KAFKA_TOPIC_PREFIX: prefix,
    LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    SMS_TENANT_ID: 'bench',
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    SMS_PUBLIC_BASE_URL: PUBLIC_BASE_URL,
    TWILIO_API_BASE_URL: twilio.url,
    SMS_MEDIA_ALLOWED_ORIGINS: twilio.url,
  };
  const messaging: MessagingOptions = {
    clientId: 'bench-sms',
    brokers: brokers.split(','),
    topicPrefix: prefix,
    logLevel: 'warn',
  };
  const sidPrefix = `SM${runId}`;
  const published = new Set<string>();
  let records = 0;
  const recorder = new ConsumerRunner(messaging, {
    groupId: `bench-sms-recorder-${randomUUID()}`,
    topics: [Topics.inboundMessage],
    partitionsConsumedConcurrently: 3,
    handleBatch: async (batch) => {
      for (const { envelope } of batch) {
        if (!envelope.data.externalId.startsWith(sidPrefix)) continue;
        records += 1;
        published.add(envelope.data.externalId);
      }
    },
  });
  let app: NestFastifyApplication | undefined;
  try {
    app = await createServiceApp(smsService, loadConfig(SmsConfig, env, 'sms'));
    await recorder.start();
    const result = await drive(
      `${await app.getUrl()}${WEBHOOK_PATH}`,
      warmup,
      measured,
      concurrency,
      deadline,
    );
    // Warm-up and measured webhooks share the run's MessageSid prefix: every accepted one must be on the topic.
    const accepted = result.warmup.accepted + result.accepted;
    let reportedAt = Date.now();
    while (published.size < accepted && Date.now() < deadline) {
      if (Date.now() - reportedAt > 10_000) {
        reportedAt = Date.now();
        console.error(`bench: ${published.size}/${accepted} accepted webhooks seen on Kafka`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return {
      ...result,
      kafka: { topic: `${prefix}${Topics.inboundMessage}`, accepted, published: published.size, records },
    };
  } finally {
    await recorder.stop().catch((error: unknown) => console.error('bench: recorder stop failed', error));
    await app?.close();
    await twilio.stop();
    const mongo = await new MongoClient(url.toString()).connect();
    await mongo.db().dropDatabase();
    await mongo.close();
  }
}

async function main(): Promise<void> {
  const requests = argument('requests', 3_000);
  const concurrency = argument('concurrency', 16);
  const warmupCount = argument('warmup', 200);
  const timeoutMs = argument('timeout-s', 300) * 1000;
  const runId = randomBytes(4).toString('hex');
  // Built before any clock starts; the baseline is sent the very same bytes.
  const warmup = webhooks(runId, 0, warmupCount);
  const measured = webhooks(runId, warmupCount, requests);
  const infra = await startLocalInfra({ progress: (message) => console.error(`bench: ${message}`) });
  const deadline = Date.now() + timeoutMs;
  hardStopAfter(timeoutMs);
  try {
    const baseline = await runBaseline(warmup, measured, concurrency, deadline);
    const sms = await runSms(
      infra.kafkaBrokers ?? '',
      infra.mongoUrl ?? '',
      runId,
      warmup,
      measured,
      concurrency,
      deadline,
    );
    const ratio = Math.round((sms.perSecond / baseline.perSecond) * 1000) / 1000;
    const { kafka } = sms;
    console.log(
      `\nsms bench: ${requests} signed inbound-SMS webhooks at concurrency ${concurrency}, after ${warmupCount} ` +
        `warm-up ones; the load generator runs in this process, over loopback keep-alive connections\n`,
    );
    console.log(
      describeMeasured('sms service  (signature + normalize + FerretDB + Kafka ack):', sms, 'webhooks/s'),
    );
    console.log(
      describeMeasured(
        'baseline     (bare NestJS + Fastify, same form body, same TwiML):',
        baseline,
        'req/s',
      ),
    );
    console.log(`  ratio        (sms / baseline): ${ratio}`);
    console.log(
      `  kafka        ${kafka.published} of ${kafka.accepted} accepted webhooks (warm-up included) on ` +
        `${kafka.topic}, ${kafka.records} records\n`,
    );
    const failures = [
      ...(sms.errorCount + sms.warmup.errorCount > 0 ? ['the sms service run had errors'] : []),
      ...(baseline.errorCount + baseline.warmup.errorCount > 0 ? ['the baseline run had errors'] : []),
      ...(kafka.published !== kafka.accepted
        ? [`Kafka has ${kafka.published} of the run's messages for ${kafka.accepted} accepted webhooks`]
        : []),
    ];
    // At-least-once publishing may duplicate a record (consumers dedupe by envelope id): worth seeing, not a failure.
    if (kafka.records > kafka.published)
      console.error(`bench: note: ${kafka.records - kafka.published} duplicate records on ${kafka.topic}`);
    for (const failure of failures) console.error(`bench: FAILED: ${failure}`);
    console.log(
      JSON.stringify({
        bench: 'sms',
        per_s: sms.perSecond,
        p50_ms: sms.p50,
        p99_ms: sms.p99,
        baseline_per_s: baseline.perSecond,
        baseline_p50_ms: baseline.p50,
        baseline_p99_ms: baseline.p99,
        ratio,
        requests,
        concurrency,
        errors: sms.errorCount,
        baseline_errors: baseline.errorCount,
        kafka_messages: kafka.published,
      }),
    );
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    await infra.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
