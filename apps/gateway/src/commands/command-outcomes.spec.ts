import { randomUUID } from 'node:crypto';
import { buildConversationEvent, createEnvelope, Topics } from '@ponte/contracts';
import { MessageHeader, type MessagingOptions } from '@ponte/messaging';
import type { GatewayConfig } from '../config/gateway.config';
import { CommandOutcomes, type ConversationEventEnvelope } from './command-outcomes';
import { stableId } from './router-ids';

/** What the consumer hands over for a conversation event (the consumer itself is not started here). */
interface Consuming {
  consume(message: {
    topic: string;
    envelope: ConversationEventEnvelope;
    headers: Record<string, string>;
  }): Promise<void>;
}

describe(CommandOutcomes.name, () => {
  let sut: CommandOutcomes;

  const eventOf = (
    commandId: string,
    kind: 'priority.changed' | 'assigned' = 'priority.changed',
    conversationId = 'c-1',
  ): ConversationEventEnvelope =>
    createEnvelope(Topics.conversationEvent, buildConversationEvent(kind, { conversationId }), {
      source: '/ponte/router',
      tenantId: 'acme',
      id: stableId(commandId, 'event', kind, conversationId),
    });

  /** As the router publishes it: the cause of the event in the `x-ponte-cause-id` header. */
  const deliver = (envelope: ConversationEventEnvelope, causeId?: string): Promise<void> =>
    (sut as unknown as Consuming).consume({
      topic: Topics.conversationEvent,
      envelope,
      headers: causeId === undefined ? {} : { [MessageHeader.causeId]: causeId },
    });

  beforeEach(() => {
    sut = new CommandOutcomes({} as MessagingOptions, {} as GatewayConfig);
  });

  afterEach(async () => {
    await sut.onModuleDestroy();
  });

  it('should answer a request that starts watching after the outcome arrived with that outcome at once', async () => {
    const commandId = randomUUID();
    const first = sut.watch(commandId);
    const event = eventOf(commandId);
    await deliver(event, commandId);
    expect(await first.outcome(5_000)).toEqual({ status: 'applied', events: [event] });

    // A retry with the same Idempotency-Key that was still claiming the key meanwhile.
    const late = sut.watch(commandId);

    expect(await late.outcome(5_000)).toEqual({ status: 'applied', events: [event] });
  });

  it('should give a request that joins while the first collects the events what the first has seen', async () => {
    const commandId = randomUUID();
    const first = sut.watch(commandId);
    const firstOutcome = first.outcome(5_000);
    const event = eventOf(commandId);
    await deliver(event, commandId);

    const joining = sut.watch(commandId);

    expect(await joining.outcome(5_000)).toEqual({ status: 'applied', events: [event] });
    expect(await firstOutcome).toEqual({ status: 'applied', events: [event] });
  });

  it('should answer with every event the command caused, two assignments of one drain included', async () => {
    const commandId = randomUUID();
    const watch = sut.watch(commandId);
    const outcome = watch.outcome(5_000);
    const ownEvent = eventOf(commandId);
    const drained = [eventOf(commandId, 'assigned', 'c-2'), eventOf(commandId, 'assigned', 'c-3')];
    const otherCause = eventOf(randomUUID(), 'assigned', 'c-4');

    await deliver(ownEvent, commandId);
    await deliver(otherCause, otherCause.id);
    await deliver(eventOf(commandId, 'assigned', 'c-5'));
    for (const event of drained) await deliver(event, commandId);
    await deliver(drained[0] as ConversationEventEnvelope, commandId);

    expect(await outcome).toEqual({ status: 'applied', events: [ownEvent, ...drained] });
  });

  it('should keep nothing for a command nobody saw an outcome of', async () => {
    const watch = sut.watch(randomUUID());

    expect(await watch.outcome(10)).toEqual({ status: 'pending' });
  });
});
