import { ReadinessChecks } from '@ponte/platform';
import { Logger } from '@nestjs/common';
import {
  type ChannelAccountStatus,
  ContractViolationError,
  type EnvelopeOf,
  parsePayload,
  Topics,
} from '@ponte/contracts';
import type { MessageBus } from '@ponte/messaging';
import { loadConfig } from '@ponte/platform';
import { waitFor } from '@ponte/testing';
import { WhatsappConfig } from '../config/whatsapp.config';
import { FakeWebClients } from '../testing/fake-web.client';
import { webMessage, webMessageId } from '../testing/web-js.fixtures';
import type { WebInboundService } from './web-inbound.service';
import { WebSessionRegistry } from './web-session.registry';
import type { WebStatusService } from './web-status.service';

const CONFIG = loadConfig(
  WhatsappConfig,
  {
    KAFKA_BROKERS: '127.0.0.1:9092',
    MONGO_URL: 'mongodb://127.0.0.1:27017/ponte',
    WHATSAPP_TENANT_ID: 'tenant-acme',
    WHATSAPP_WEB_SESSIONS: 'suporte,vendas',
  },
  'whatsapp',
);

beforeAll(() => {
  Logger.overrideLogger(false);
});

describe(WebSessionRegistry.name, () => {
  let clients: FakeWebClients;
  let published: Array<EnvelopeOf<typeof Topics.channelStatus>>;
  let failPublishes: number;
  let handled: string[];
  let failures: Map<string, Error[]>;
  let sut: WebSessionRegistry;

  beforeEach(() => {
    clients = new FakeWebClients();
    published = [];
    failPublishes = 0;
    handled = [];
    failures = new Map();
    const bus = {
      publish: async (_topic: string, envelope: EnvelopeOf<typeof Topics.channelStatus>) => {
        if (failPublishes > 0) {
          failPublishes -= 1;
          throw new Error('KafkaJSNumberOfRetriesExceeded');
        }
        published.push(envelope);
      },
    } as unknown as MessageBus;
    const inbound = {
      receive: async (_: unknown, message: { id: { _serialized: string } }) => {
        const id = message.id._serialized;
        const failure = failures.get(id)?.shift();
        if (failure) throw failure;
        handled.push(id);
        return 'published';
      },
    } as unknown as WebInboundService;
    sut = new WebSessionRegistry(
      CONFIG,
      bus,
      clients.factory,
      inbound,
      {} as WebStatusService,
      new ReadinessChecks(),
    );
  });

  afterEach(async () => {
    await sut.beforeApplicationShutdown();
  });

  function statesOf(channelAccountId: string): ChannelAccountStatus[] {
    return published
      .map((envelope) => envelope.data)
      .filter((status) => status.channelAccountId === channelAccountId);
  }

  it('should publish every state change of a session, valid against the contract, in order', async () => {
    sut.onApplicationBootstrap();
    clients.latest('suporte').pair();

    await waitFor(() => statesOf('web:suporte').length === 4, { description: 'four states' });
    expect(statesOf('web:suporte').map((status) => status.state)).toEqual([
      'connecting',
      'pairing',
      'connecting',
      'connected',
    ]);
    for (const envelope of published) {
      expect(envelope).toMatchObject({ tenantId: 'tenant-acme', source: '/ponte/whatsapp' });
      const result = parsePayload(Topics.channelStatus, envelope.data);
      expect(result.ok ? [] : result.errors).toEqual([]);
    }
  });

  it('should publish the states that waited, in order, once Kafka takes them again', async () => {
    failPublishes = 2;
    sut.onApplicationBootstrap();
    clients.latest('suporte').emit('disconnected', 'LOGOUT');

    await waitFor(() => statesOf('web:suporte').some((status) => status.state === 'lost'), {
      description: 'lost published',
      timeoutMs: 5_000,
    });
    expect(statesOf('web:suporte')).toEqual([
      expect.objectContaining({ state: 'connecting' }),
      expect.objectContaining({ state: 'lost', reason: 'logged out from the phone (LOGOUT)' }),
    ]);
  });

  it('should be ready unless a session is lost', () => {
    sut.onApplicationBootstrap();
    clients.latest('vendas').emit('qr', '2@vendas');
    expect(sut.health()).toEqual({
      up: true,
      sessions: {
        suporte: { state: 'connecting', reason: 'starting WhatsApp Web' },
        vendas: { state: 'pairing', reason: 'scan the QR code with WhatsApp → Linked devices' },
      },
    });

    clients.latest('suporte').emit('disconnected', 'TOS_BLOCK');

    expect(sut.health()).toMatchObject({ up: false, sessions: { suporte: { state: 'lost' } } });
  });

  it('should retry an event that failed, keeping the events after it waiting, and drop a contract violation', async () => {
    sut.onApplicationBootstrap();
    const client = clients.latest('suporte');
    client.pair();
    const [first, invalid, last] = [webMessageId(), webMessageId(), webMessageId()].map((id) =>
      webMessage('text', { id }),
    );
    failures.set(first!.id._serialized, [new Error('connect ECONNREFUSED 127.0.0.1:27017')]);
    failures.set(invalid!.id._serialized, [new ContractViolationError(Topics.inboundMessage, [])]);

    for (const message of [first!, invalid!, last!]) client.emit('message_create', message);

    await waitFor(() => handled.length === 2, { description: 'two messages handled', timeoutMs: 5_000 });
    expect(handled).toEqual([first!.id._serialized, last!.id._serialized]);
  });
});
