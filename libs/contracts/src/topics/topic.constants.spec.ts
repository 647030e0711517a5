import { CHANNELS, isChannel } from './channel.constants';
import {
  ALL_TOPICS,
  Topics,
  channelOfOutboundTopic,
  dlqTopic,
  isOutboundTopic,
  isTopicName,
  outboundTopic,
} from './topic.constants';

describe(outboundTopic.name, () => {
  it.each(CHANNELS)('should name the versioned outbound topic when the channel is %s', (channel) => {
    expect(outboundTopic(channel)).toBe(`ponte.outbound.${channel}.v1`);
    expect(channelOfOutboundTopic(outboundTopic(channel))).toBe(channel);
  });
});

describe('ALL_TOPICS', () => {
  it('should list every topic once when the outbound topics are included', () => {
    expect(new Set(ALL_TOPICS).size).toBe(ALL_TOPICS.length);
    expect(ALL_TOPICS).toHaveLength(6 + CHANNELS.length);
    expect(ALL_TOPICS).toEqual(expect.arrayContaining([Topics.conversationEvent, Topics.outbound.instagram]));
  });

  it('should be versioned when any topic is named', () => {
    for (const topic of ALL_TOPICS) expect(topic).toMatch(/^ponte\.[a-z.]+\.v\d+$/);
  });
});

describe(isTopicName.name, () => {
  it('should accept a topic when it is in the contract', () => {
    expect(isTopicName('ponte.delivery.status.v1')).toBe(true);
  });

  it.each(['ponte.delivery.status.v2', 'ponte.delivery.status.v1.dlq', '', 'toString'])(
    'should reject %p when it is not a contract topic',
    (name) => {
      expect(isTopicName(name)).toBe(false);
    },
  );
});

describe(isOutboundTopic.name, () => {
  it('should tell outbound topics from the others when asked', () => {
    expect(isOutboundTopic(Topics.outbound.email)).toBe(true);
    expect(isOutboundTopic(Topics.inboundMessage)).toBe(false);
    expect(channelOfOutboundTopic(Topics.inboundMessage)).toBeUndefined();
  });
});

describe(dlqTopic.name, () => {
  it('should append .dlq when given a topic', () => {
    expect(dlqTopic(Topics.inboundMessage)).toBe('ponte.inbound.message.v1.dlq');
  });
});

describe(isChannel.name, () => {
  it('should accept only known channels when given any value', () => {
    expect(isChannel('telegram')).toBe(true);
    expect(isChannel('fax')).toBe(false);
    expect(isChannel(undefined)).toBe(false);
  });
});
