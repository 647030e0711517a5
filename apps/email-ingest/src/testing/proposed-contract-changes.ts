/*
 * NOT USED BY THE SERVICE. Changes apps/email-ingest needs outside its folder, written out as code so the owners of
 * libs/contracts and apps/router can apply them (see apps/email-ingest/README.md, "Needed outside this app").
 *
 * 1. libs/contracts/src/payloads/message-parts.dto.ts, class MessageContent — the quoted history of an e-mail,
 *    separated from the new text (today it only survives in the sanitized html and the raw mail blob):
 *
 *      /** The history quoted below the new text (e-mail), when the adapter could tell them apart. *\/
 *      @IsText(ContractLimits.textLength, { optional: true })
 *      quotedText?: string;
 *
 * 2. libs/contracts/src/payloads/inbound-message.dto.ts, class InboundMessage — machine-written mail and Reply-To:
 *
 *      /** Set for mail a machine wrote: never answered automatically (RFC 3834). *\/
 *      @IsOneOf(AUTOMATED_KINDS, { optional: true })
 *      automated?: AutomatedKind;   // export const AUTOMATED_KINDS = ['auto-reply', 'bounce', 'auto-generated'] as const;
 *
 *      /** E-mail Reply-To: where the customer wants answers (may differ from `from`). *\/
 *      @IsNestedArray(() => ChannelAddress, ContractLimits.recipients, { optional: true })
 *      replyTo?: ChannelAddress[];
 *
 *    Until then the adapter sends the flag as the Kafka record header `ponte-email-automated` (AUTOMATED_HEADER).
 *
 * 3. apps/router: when a DeliveryStatus `sent` arrives for an e-mail message, store its `externalId` (the normalized
 *    Message-ID the adapter generated) as the outgoing timeline message's `emailMessageId`, so a customer's answer
 *    whose In-Reply-To is our reply (and whose References a client trimmed) still finds the conversation through
 *    TimelineStore.conversationOfEmail.
 */
export const PROPOSED_CONTRACT_CHANGES = 'see the comment above';
