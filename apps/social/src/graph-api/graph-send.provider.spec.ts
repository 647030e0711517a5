import { SendFailure } from '@ponte/channel-kit';
import type { MetaAccount } from '../config/meta-accounts';
import type { MetaSendRequest } from '../outbound/meta-send.port';
import type { GraphSendClient, GraphSendResponse } from './graph-send.client';
import { GraphSendProvider, PARTLY_SENT } from './graph-send.provider';

const PAGE: MetaAccount = { channel: 'messenger', id: '104857600123456', accessToken: 'EAAGpage' };
const FILE = {
  bytes: Buffer.from('png'),
  mediaType: 'image/png',
  fileName: 'a.png',
  attachmentType: 'image',
};

type Call = { kind: 'send' | 'sendFile'; accountId: string; body: Record<string, unknown> };

function clientAnswering(...answers: Array<GraphSendResponse | SendFailure>): {
  client: Pick<GraphSendClient, 'send' | 'sendFile'>;
  calls: Call[];
} {
  const calls: Call[] = [];
  const next = async (call: Call): Promise<GraphSendResponse> => {
    calls.push(call);
    const answer = answers.shift();
    if (answer instanceof SendFailure) throw answer;
    return answer ?? {};
  };
  return {
    calls,
    client: {
      send: (accountId, _token, body) => next({ kind: 'send', accountId, body }),
      sendFile: (accountId, _token, body) => next({ kind: 'sendFile', accountId, body }),
    },
  };
}

function request(overrides: Partial<MetaSendRequest> = {}): MetaSendRequest {
  return {
    account: PAGE,
    customerId: '6100000000000001',
    messagingType: { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' },
    text: 'Olá',
    ...overrides,
  };
}

describe(GraphSendProvider.name, () => {
  it('should send a text with its messaging type and accept Graph’s message_id', async () => {
    const { client, calls } = clientAnswering({ recipient_id: '6100000000000001', message_id: 'm_1' });
    const sut = new GraphSendProvider({ messenger: client, instagram: client });

    expect(await sut.send(request())).toEqual({ externalId: 'm_1', state: 'sent' });
    expect(calls).toEqual([
      {
        kind: 'send',
        accountId: PAGE.id,
        body: {
          recipient: { id: '6100000000000001' },
          messaging_type: 'MESSAGE_TAG',
          tag: 'HUMAN_AGENT',
          message: { text: 'Olá' },
        },
      },
    ]);
  });

  it('should call an answer without message_id uncertain', async () => {
    const { client } = clientAnswering({ recipient_id: '6100000000000001' });
    const sut = new GraphSendProvider({ messenger: client, instagram: client });

    await expect(sut.send(request())).rejects.toMatchObject({
      kind: 'uncertain',
      code: 'PONTE_SEND_UNCERTAIN',
    });
  });

  it('should send the text, then the file, whose mid is the message’s', async () => {
    const { client, calls } = clientAnswering({ message_id: 'm_text' }, { message_id: 'm_file' });
    const sut = new GraphSendProvider({ messenger: client, instagram: client });

    expect(await sut.send(request({ file: FILE }))).toEqual({ externalId: 'm_file', state: 'sent' });
    expect(calls.map((call) => call.kind)).toEqual(['send', 'sendFile']);
    expect(calls[1]?.body['message']).toEqual({
      attachment: { type: 'image', payload: { is_reusable: false } },
    });
  });

  it('should never let a refused file after its text be retried', async () => {
    const throttled = new SendFailure('retryable', '4', 'Application request limit reached', 429);
    const { client } = clientAnswering({ message_id: 'm_text' }, throttled);
    const sut = new GraphSendProvider({ messenger: client, instagram: client });

    await expect(sut.send(request({ file: FILE }))).rejects.toMatchObject({
      kind: 'permanent',
      code: PARTLY_SENT,
      message: expect.stringMatching(/Only the text went out \(m_text\)/),
    });
  });
});
