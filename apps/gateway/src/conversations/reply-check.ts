import { Injectable } from '@nestjs/common';
import { type Channel, refuseReply, windowOf } from '@ponte/contracts';
import { ReplyRefusedError } from '../http/problem.error';
import type { ReplyBody } from '../commands/command.dto';
import type { ConversationRecord, IdentityRecord } from './router-read.model';
import { RouterReadModel } from './router-read.repository';

const lastSeenOf = (identity: IdentityRecord): Date | undefined =>
  identity.lastSeenAt ?? identity.linkedAt ?? identity.firstSeenAt;

/**
 * Checks a reply before it is published, so the agent hears at once why it cannot go out and nothing reaches the
 * router: the identity is picked as the router picks it (CommandHandler.reply), then the contract's refuseReply
 * (channel limits) and windowOf (WhatsApp's 24-hour window) decide. The router checks the limits again.
 */
@Injectable()
export class ReplyCheck {
  constructor(private readonly readModel: RouterReadModel) {}

  async check(conversation: ConversationRecord, body: ReplyBody, now = new Date()): Promise<IdentityRecord> {
    const group = await this.readModel.canonicalCustomer(conversation.tenantId, conversation.customerId);
    const identities = await this.readModel.identitiesOf(
      conversation.tenantId,
      group?.members ?? [conversation.customerId],
    );
    const identity = await this.pick(conversation, identities, body);
    if (!identity) {
      throw new ReplyRefusedError(
        'NO_IDENTITY_FOR_CHANNEL',
        body.identityId
          ? `The customer has no identity ${JSON.stringify(body.identityId)}.`
          : body.channel
            ? `The customer has no ${body.channel} address to answer on.`
            : 'The customer has not written from any address this reply could go to; choose a channel.',
      );
    }
    const refusal = refuseReply(identity.channel, {
      ...(body.text === undefined ? {} : { text: body.text }),
      ...(body.attachments ? { attachments: body.attachments } : {}),
      ...(body.template ? { template: body.template } : {}),
    });
    if (refusal)
      throw new ReplyRefusedError(
        refusal.code,
        `The reply cannot go out on ${identity.channel}: ${refusal.message}.`,
      );
    const lastInboundAt = lastSeenOf(identity);
    const window = windowOf(identity.channel, lastInboundAt, now);
    if (window.state === 'template-only' && !body.template) {
      throw new ReplyRefusedError(
        'REPLY_WINDOW_CLOSED',
        `${channelName(identity.channel)} accepts only an approved template more than 24 hours after the customer's last message` +
          `${lastInboundAt ? ` (${new Date(lastInboundAt).toISOString()})` : ''}; send a template or answer on another channel.`,
      );
    }
    if (window.state === 'closed') {
      throw new ReplyRefusedError(
        'REPLY_WINDOW_CLOSED',
        `${channelName(identity.channel)} no longer lets the business answer this customer; answer on another channel.`,
      );
    }
    return identity;
  }

  private async pick(
    conversation: ConversationRecord,
    identities: IdentityRecord[],
    body: ReplyBody,
  ): Promise<IdentityRecord | undefined> {
    if (body.identityId) {
      const chosen = identities.find((identity) => identity._id === body.identityId);
      return chosen && (!body.channel || chosen.channel === body.channel) ? chosen : undefined;
    }
    if (body.channel) {
      return identities
        .filter((identity) => identity.channel === body.channel)
        .sort((a, b) => (lastSeenOf(b)?.getTime() ?? 0) - (lastSeenOf(a)?.getTime() ?? 0))[0];
    }
    const lastIncoming = await this.readModel.lastIncoming(conversation.tenantId, conversation._id);
    return identities.find((identity) => identity._id === lastIncoming?.identityId);
  }
}

function channelName(channel: Channel): string {
  return channel === 'whatsapp' ? 'WhatsApp' : channel;
}
