import { RejectedMessageError } from './rejected-message.error';
import type { EnvelopeOf, TopicName } from '@ponte/contracts';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import {
  DEFAULT_GROUP_TIMINGS,
  DEFAULT_RETRY_SETTINGS,
  physicalTopic,
  type MessagingLogger,
  type MessagingOptions,
  type RetrySettings,
} from '../config/messaging.options';
import { contractsCodec, type EnvelopeCodec } from '../contract/envelope.codec';
import { decodeHeaders, describeError } from '../headers/message-headers.mapper';
import { createKafkaClient, defaultLogger } from '../kafka/kafka-client.factory';
import { TopicProvisioner } from '../topics/topic-provisioner.service';
import type { BatchHandler, ConsumedMessage, MessageHandler } from './consumed-message';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { backoffDelayMs, shouldRetry } from './retry-backoff.policy';

export interface ConsumerSubscription<T extends TopicName> {
  readonly groupId: string;
  readonly topics: readonly T[];
  /** Where a group without a committed offset starts; from the beginning so nothing produced earlier is skipped. */
  readonly fromBeginning?: boolean;
  /** Partitions processed in parallel by this instance; a partition's records always run one after another. */
  readonly partitionsConsumedConcurrently?: number;
  /** How often a long batch commits what it has finished, so a crash replays little. */
  readonly commitIntervalMs?: number;
}

export type ConsumerHandlers<T extends TopicName> =
  | { readonly handleMessage: MessageHandler<T> }
  | {
      /** For bulk writes; if it throws, the chunk is retried message by message to isolate the poison one. */
      readonly handleBatch: BatchHandler<T>;
      readonly maxBatchSize?: number;
    };

export type ConsumerRunnerOptions<T extends TopicName> = ConsumerSubscription<T> & ConsumerHandlers<T>;

type Outcome = 'done' | 'abandoned';

const BACKOFF_SLICE_MS = 500;

/**
 * Consumes a group's topics with at-least-once delivery: an offset is committed only after its handler
 * succeeded or the record was acknowledged by its DLQ; a failing record is retried with bounded backoff and
 * then dead-lettered, so it never blocks its partition (invariant 4).
 */
export class ConsumerRunner<T extends TopicName> {
  private readonly consumer: Consumer;
  private readonly deadLetters: DeadLetterPublisher;
  private readonly provisioner: TopicProvisioner;
  private readonly codec: EnvelopeCodec;
  private readonly logger: MessagingLogger;
  private readonly retry: RetrySettings;
  private readonly logicalTopics: ReadonlyMap<string, T>;
  private running = false;

  constructor(
    private readonly messaging: MessagingOptions,
    private readonly options: ConsumerRunnerOptions<T>,
  ) {
    const timings = { ...DEFAULT_GROUP_TIMINGS, ...messaging.group };
    this.consumer = createKafkaClient(messaging).consumer({
      groupId: options.groupId,
      sessionTimeout: timings.sessionTimeoutMs,
      rebalanceTimeout: timings.rebalanceTimeoutMs,
      heartbeatInterval: timings.heartbeatIntervalMs,
      maxWaitTimeInMs: timings.fetchMaxWaitMs,
      allowAutoTopicCreation: false,
    });
    this.deadLetters = new DeadLetterPublisher(messaging);
    this.provisioner = new TopicProvisioner(messaging);
    this.codec = messaging.codec ?? contractsCodec;
    this.logger = defaultLogger(messaging);
    this.retry = { ...DEFAULT_RETRY_SETTINGS, ...messaging.retry };
    this.logicalTopics = new Map(options.topics.map((topic) => [physicalTopic(messaging, topic), topic]));
  }

  async start(): Promise<void> {
    await this.provisioner.ensureTopics(this.options.topics);
    await this.provisioner.disconnect();
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.logicalTopics.keys()],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.consumeBatch(payload),
    });
    this.running = true;
  }

  /**
   * Graceful: kafkajs stops fetching and waits for the batch in flight; that batch finishes its current record,
   * commits what is done and returns. Unfinished records stay uncommitted for the next owner.
   */
  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
    await this.deadLetters.disconnect();
  }

  isRunning(): boolean {
    return this.running;
  }

  private async consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const topic = this.logicalTopics.get(batch.topic);
    if (!topic) throw new Error(`Received a batch of unsubscribed topic ${batch.topic}`);
    const commits = new PartitionCommitter(payload, this.options.commitIntervalMs ?? 1_000);
    try {
      if ('handleBatch' in this.options) {
        await this.consumeInChunks(topic, payload, commits, this.options.handleBatch);
      } else {
        await this.consumeOneByOne(topic, payload, commits, this.options.handleMessage);
      }
    } catch (error) {
      // Keep what is finished (a failed commit only means a replay), then let kafkajs recover the partition.
      await commits.flush().catch(() => undefined);
      throw error;
    }
    await commits.flush();
  }

  private async consumeOneByOne(
    topic: T,
    payload: EachBatchPayload,
    commits: PartitionCommitter,
    handle: MessageHandler<T>,
  ): Promise<void> {
    for (const record of payload.batch.messages) {
      if (!isOwned(payload)) return;
      if ((await this.process(topic, payload, record, handle)) === 'abandoned') return;
      await commits.done(record.offset);
    }
  }

  private async consumeInChunks(
    topic: T,
    payload: EachBatchPayload,
    commits: PartitionCommitter,
    handle: BatchHandler<T>,
  ): Promise<void> {
    const size = 'maxBatchSize' in this.options ? (this.options.maxBatchSize ?? 500) : 500;
    const records = payload.batch.messages;
    for (let start = 0; start < records.length; start += size) {
      if (!isOwned(payload)) return;
      const chunk = records.slice(start, start + size);
      if (!(await this.tryWholeChunk(topic, payload, chunk, handle))) {
        for (const record of chunk) {
          if (!isOwned(payload)) return;
          const outcome = await this.process(topic, payload, record, (message) => handle([message]));
          if (outcome === 'abandoned') return;
          await commits.done(record.offset);
        }
      }
      const last = chunk[chunk.length - 1];
      if (last) await commits.done(last.offset);
    }
  }

  /** True when every record of the chunk is handled; false sends the chunk down the one-by-one path. */
  private async tryWholeChunk(
    topic: T,
    payload: EachBatchPayload,
    chunk: readonly KafkaMessage[],
    handle: BatchHandler<T>,
  ): Promise<boolean> {
    const messages: ConsumedMessage<T>[] = [];
    for (const record of chunk) {
      const message = this.decode(topic, payload.batch.partition, record);
      if (!message) return false;
      messages.push(message);
    }
    // A slow chunk must not cost the partition: keep heartbeating while the handler works on it.
    const ticker = setInterval(() => void payload.heartbeat().catch(() => undefined), BACKOFF_SLICE_MS);
    try {
      await handle(messages);
      return true;
    } catch (error) {
      this.logger.warn(
        `Batch of ${messages.length} from ${topic}[${payload.batch.partition}] failed, retrying one by one: ${describeError(error)}`,
      );
      return false;
    } finally {
      clearInterval(ticker);
    }
  }

  private async process(
    topic: T,
    payload: EachBatchPayload,
    record: KafkaMessage,
    handle: MessageHandler<T>,
  ): Promise<Outcome> {
    const { partition } = payload.batch;
    const parsed = this.codec.parse(topic, record.value ?? Buffer.alloc(0));
    if (!parsed.ok) {
      // Retrying cannot fix bytes that break the contract: straight to the DLQ.
      await this.deadLetters.publish(topic, record, {
        code: 'CONTRACT_VIOLATION',
        error: `Contract violation on ${topic}: ${parsed.errors.length} error(s)`,
        contractErrors: parsed.errors,
        partition,
        offset: record.offset,
        attempts: 0,
        failedAt: new Date(),
      });
      return 'done';
    }
    const message = this.toConsumedMessage(topic, partition, record, parsed.value);
    for (let attempt = 1; ; attempt++) {
      try {
        await handle(message);
        return 'done';
      } catch (error) {
        const rejected = error instanceof RejectedMessageError;
        if (rejected || !shouldRetry(attempt, this.retry)) {
          this.logger.error(
            `Dead-lettering ${topic}[${partition}]@${record.offset} after ${attempt} attempt(s): ${describeError(error)}`,
          );
          await this.deadLetters.publish(topic, record, {
            code: rejected ? 'REJECTED' : 'HANDLER_FAILED',
            error,
            partition,
            offset: record.offset,
            attempts: attempt,
            failedAt: new Date(),
          });
          return 'done';
        }
        this.logger.warn(
          `Retrying ${topic}[${partition}]@${record.offset} (attempt ${attempt}): ${describeError(error)}`,
        );
        if (!(await waitKeepingMembership(payload, backoffDelayMs(attempt, this.retry)))) return 'abandoned';
      }
    }
  }

  private decode(topic: T, partition: number, record: KafkaMessage): ConsumedMessage<T> | undefined {
    const parsed = this.codec.parse(topic, record.value ?? Buffer.alloc(0));
    return parsed.ok ? this.toConsumedMessage(topic, partition, record, parsed.value) : undefined;
  }

  private toConsumedMessage(
    topic: T,
    partition: number,
    record: KafkaMessage,
    envelope: EnvelopeOf<T>,
  ): ConsumedMessage<T> {
    return {
      topic,
      partition,
      offset: record.offset,
      key: record.key?.toString() ?? null,
      headers: decodeHeaders(record.headers),
      timestamp: record.timestamp,
      envelope,
    } as ConsumedMessage<T>;
  }
}

/** False once a rebalance or shutdown took the partition away: stop, the next owner resumes from the commit. */
function isOwned(payload: EachBatchPayload): boolean {
  return payload.isRunning() && !payload.isStale();
}

/** Backoff that keeps heartbeating, so a slow retry is not mistaken for a dead member. */
async function waitKeepingMembership(payload: EachBatchPayload, delayMs: number): Promise<boolean> {
  const until = Date.now() + delayMs;
  while (Date.now() < until) {
    if (!isOwned(payload)) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(BACKOFF_SLICE_MS, until - Date.now())));
    await payload.heartbeat();
  }
  return isOwned(payload);
}

/** Resolves offsets as records finish and commits them explicitly (autoCommit is off), at most once per interval. */
class PartitionCommitter {
  private nextOffset?: string;
  private committedOffset?: string;
  private lastCommitAt = Date.now();

  constructor(
    private readonly payload: EachBatchPayload,
    private readonly intervalMs: number,
  ) {}

  async done(offset: string): Promise<void> {
    this.payload.resolveOffset(offset);
    this.nextOffset = (BigInt(offset) + 1n).toString();
    await this.payload.heartbeat();
    if (Date.now() - this.lastCommitAt >= this.intervalMs) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.nextOffset === undefined || this.nextOffset === this.committedOffset) return;
    const { topic, partition } = this.payload.batch;
    await this.payload.commitOffsetsIfNecessary({
      topics: [{ topic, partitions: [{ partition, offset: this.nextOffset }] }],
    });
    this.committedOffset = this.nextOffset;
    this.lastCommitAt = Date.now();
  }
}
