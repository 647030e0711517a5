import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { dlqTopic, type EnvelopeOf, parse, Topics } from '@ponte/contracts';
import {
  type ConsumedMessage,
  ConsumerRunner,
  type EnvelopeCodec,
  MESSAGING_OPTIONS,
  MessageHeader,
  type MessagingOptions,
} from '@ponte/messaging';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { GatewayConfig } from '../config/gateway.config';

export type ConversationEventEnvelope = EnvelopeOf<typeof Topics.conversationEvent>;

export type CommandOutcome =
  /** The router applied the command: the events it caused (at least one). */
  | { status: 'applied'; events: ConversationEventEnvelope[] }
  /** The router refused it (`failed`: it kept failing instead, which a retry may fix). */
  | { status: 'rejected'; code: string; reason: string; failed: boolean }
  /** Nothing seen within the wait. */
  | { status: 'pending' };

/** The command DLQ, read like a topic: its records are the original command bytes plus the failure headers. */
export const COMMAND_DLQ = dlqTopic(Topics.agentCommand) as typeof Topics.agentCommand;

/** After the first event of a command, how long to wait for the others the router published in the same batch. */
const SIBLING_EVENTS_MS = 150;

/** How long, and how many, settled outcomes are kept for a request that starts watching a command late. */
const SETTLED_KEPT_MS = 60_000;
const SETTLED_KEPT = 1_000;

/** `RejectedMessageError: NOT_ALLOWED: agent … neither holds …` → code and reason. */
const REJECTION = /^(?:[A-Za-z]+Error: )?([A-Z][A-Z_]+): ([\s\S]*)$/;

interface Waiter {
  events: ConversationEventEnvelope[];
  resolve: (outcome: CommandOutcome) => void;
  timer?: NodeJS.Timeout;
}

/** Sees every conversation event this instance consumes (the live updates); errors are the listener's to handle. */
export type ConversationEventListener = (envelope: ConversationEventEnvelope) => Promise<void>;

export interface CommandWatch {
  /** Resolves with the outcome, or `pending` after `timeoutMs`; stops watching either way. */
  outcome(timeoutMs: number): Promise<CommandOutcome>;
  cancel(): void;
}

/**
 * Sees what the router made of the gateway's commands: the conversation events it caused (their `x-ponte-cause-id`
 * header is the command id), and the command's dead letter when it refused it. Each gateway instance consumes both
 * topics in a consumer group of its own (from the latest offset), because the request waiting for an outcome is on
 * this instance. The live updates listen to the same consumer (`onConversationEvent`) rather than adding a second
 * one, for the same reason: every instance must see every event for the sockets connected to it.
 */
@Injectable()
export class CommandOutcomes implements OnModuleInit, OnModuleDestroy {
  /** Command id → the requests waiting for it (a retry with the same Idempotency-Key waits beside the first). */
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly eventListeners = new Set<ConversationEventListener>();
  /**
   * Command id → its outcome, lately settled: a retry with the same Idempotency-Key that was still claiming the key
   * when the first request's outcome arrived would otherwise wait for events already gone by.
   */
  private readonly settled = new Map<string, { outcome: CommandOutcome; at: number }>();
  private runner: ConsumerRunner<typeof Topics.conversationEvent | typeof Topics.agentCommand> | undefined;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly messaging: MessagingOptions,
    private readonly config: GatewayConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const codec: EnvelopeCodec = {
      parse: (topic, bytes) => parse(topic === COMMAND_DLQ ? Topics.agentCommand : topic, bytes) as never,
      encode: () => {
        throw new Error('the outcome consumer never encodes');
      },
    };
    this.runner = new ConsumerRunner(
      { ...this.messaging, codec },
      {
        groupId: `${this.config.KAFKA_TOPIC_PREFIX}gateway-${hostname()}-${randomUUID()}`,
        topics: [Topics.conversationEvent, COMMAND_DLQ],
        fromBeginning: false,
        partitionsConsumedConcurrently: 4,
        handleMessage: async (message) => this.consume(message),
      },
    );
    await this.runner.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.runner?.stop();
    for (const [commandId, waiters] of this.waiters) {
      for (const waiter of waiters) this.settle(commandId, waiter, { status: 'pending' });
    }
  }

  /** Calls `listener` with each conversation event from now on (in order per conversation); returns the unsubscribe. */
  onConversationEvent(listener: ConversationEventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Starts watching a command; call before publishing it, so no outcome can be missed. */
  watch(commandId: string): CommandWatch {
    const known = this.settled.get(commandId);
    if (known && known.at > Date.now() - SETTLED_KEPT_MS) {
      return { outcome: () => Promise.resolve(known.outcome), cancel: () => undefined };
    }
    let resolve!: (outcome: CommandOutcome) => void;
    const settled = new Promise<CommandOutcome>((done) => (resolve = done));
    const waiters = this.waiters.get(commandId) ?? new Set<Waiter>();
    // Another request waits for the same command already: the events it has seen count for this one too.
    const seen = [...waiters].find((other) => other.events.length > 0)?.events ?? [];
    const waiter: Waiter = { events: [...seen], resolve };
    waiters.add(waiter);
    this.waiters.set(commandId, waiters);
    return {
      outcome: (timeoutMs) => {
        waiter.timer ??= setTimeout(
          () => this.settleWithWhatArrived(commandId, waiter),
          waiter.events.length > 0 ? SIBLING_EVENTS_MS : timeoutMs,
        );
        return settled;
      },
      cancel: () => this.settle(commandId, waiter, { status: 'pending' }),
    };
  }

  private async consume(
    message: ConsumedMessage<typeof Topics.conversationEvent | typeof Topics.agentCommand>,
  ): Promise<void> {
    if (message.topic === Topics.conversationEvent) {
      const envelope = message.envelope;
      this.matchCommandEvent(envelope, message.headers[MessageHeader.causeId]);
      await Promise.all([...this.eventListeners].map((listener) => listener(envelope)));
      return;
    }
    const { commandId } = message.envelope.data;
    const waiters = this.waiters.get(commandId);
    if (!waiters) return;
    const error = message.headers[MessageHeader.error] ?? '';
    const matched = REJECTION.exec(error);
    const failed = message.headers[MessageHeader.errorCode] !== 'REJECTED';
    for (const waiter of waiters) {
      this.settle(commandId, waiter, {
        status: 'rejected',
        code: failed ? 'HANDLER_FAILED' : (matched?.[1] ?? 'REJECTED'),
        reason: matched?.[2] ?? error,
        failed,
      });
    }
  }

  /** The router names the cause of every event in the `x-ponte-cause-id` header: for a command, its commandId. */
  private matchCommandEvent(envelope: ConversationEventEnvelope, commandId: string | undefined): void {
    if (commandId === undefined) return;
    for (const waiter of this.waiters.get(commandId) ?? []) {
      if (waiter.events.some((event) => event.id === envelope.id)) continue;
      waiter.events.push(envelope);
      if (waiter.events.length === 1) {
        clearTimeout(waiter.timer);
        waiter.timer = setTimeout(() => this.settleWithWhatArrived(commandId, waiter), SIBLING_EVENTS_MS);
      }
    }
  }

  private settleWithWhatArrived(commandId: string, waiter: Waiter): void {
    this.settle(
      commandId,
      waiter,
      waiter.events.length > 0 ? { status: 'applied', events: waiter.events } : { status: 'pending' },
    );
  }

  /** Answers one waiting request (once) and stops watching the command when no one waits for it any more. */
  private settle(commandId: string, waiter: Waiter, outcome: CommandOutcome): void {
    clearTimeout(waiter.timer);
    const waiters = this.waiters.get(commandId);
    if (!waiters?.delete(waiter)) return;
    if (waiters.size === 0) this.waiters.delete(commandId);
    // Not a failure the router may get past on a retry.
    if (outcome.status === 'applied' || (outcome.status === 'rejected' && !outcome.failed))
      this.remember(commandId, outcome);
    waiter.resolve(outcome);
  }

  private remember(commandId: string, outcome: CommandOutcome): void {
    this.settled.delete(commandId);
    this.settled.set(commandId, { outcome, at: Date.now() });
    if (this.settled.size <= SETTLED_KEPT) return;
    const oldest = this.settled.keys().next();
    if (!oldest.done) this.settled.delete(oldest.value);
  }
}
