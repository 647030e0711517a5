import { type SendAccepted, SendFailure } from '@ponte/channel-kit';
import type { SocialChannel } from '../config/meta-accounts';
import { MetaSendProvider, type MetaSendRequest } from '../outbound/meta-send.port';
import type { GraphSendClient, GraphSendResponse } from './graph-send.client';

/** The text went out as a message of its own, the file after it did not. */
export const PARTLY_SENT = 'PONTE_META_PARTLY_SENT';

/**
 * Sends through the Graph Send API (`POST /{version}/{account-id}/messages`): Messenger through graph.facebook.com
 * with the page's token, Instagram through graph.instagram.com with the account's. A text goes as `message.text`; a
 * file is uploaded as `filedata` with `message.attachment` (blobs have no public URL to send by).
 */
export class GraphSendProvider extends MetaSendProvider {
  constructor(
    private readonly clients: Readonly<Record<SocialChannel, Pick<GraphSendClient, 'send' | 'sendFile'>>>,
  ) {
    super();
  }

  /**
   * One attempt. Text and a file are two Send API messages (Meta takes one or the other): the text first, the file
   * last, whose mid is the message's. Once the text went out a failure of the file is never retryable — a new attempt
   * would send the text again — but PONTE_META_PARTLY_SENT for the agent.
   */
  async send(request: MetaSendRequest): Promise<SendAccepted> {
    const { account, text, file } = request;
    const client = this.clients[account.channel];
    const base = { recipient: { id: request.customerId }, ...request.messagingType };
    if (!file)
      return acceptedOf(await client.send(account.id, account.accessToken, { ...base, message: { text } }));
    const fields = {
      ...base,
      message: { attachment: { type: file.attachmentType, payload: { is_reusable: false } } },
    };
    if (!text) return acceptedOf(await client.sendFile(account.id, account.accessToken, fields, file));
    const textMid = acceptedOf(
      await client.send(account.id, account.accessToken, { ...base, message: { text } }),
    ).externalId;
    try {
      return acceptedOf(await client.sendFile(account.id, account.accessToken, fields, file));
    } catch (error) {
      const failure =
        error instanceof SendFailure
          ? error
          : new SendFailure('uncertain', 'PONTE_SEND_UNCERTAIN', String(error));
      if (failure.kind === 'uncertain') {
        throw new SendFailure(
          'uncertain',
          failure.code,
          `The text went out (${textMid}); then ${failure.message}`,
        );
      }
      throw new SendFailure(
        'permanent',
        PARTLY_SENT,
        `Only the text went out (${textMid}); the file was refused: ${failure.message} (${failure.code})`,
        failure.httpStatus,
      );
    }
  }
}

/** Graph's answer as accepted; one without a message id may or may not have been sent. */
function acceptedOf(response: GraphSendResponse): SendAccepted {
  if (!response.message_id) {
    throw new SendFailure(
      'uncertain',
      'PONTE_SEND_UNCERTAIN',
      'Graph accepted the request without a message id; the message may or may not have been sent',
    );
  }
  return { externalId: response.message_id, state: 'sent' };
}
