import { HealthIndicatorService } from '@nestjs/terminus';
import { testBrokers, testMessagingOptions } from '../testing/messaging-test.harness';
import { KafkaHealthIndicator } from './kafka.health';

const brokers = testBrokers();

describe(KafkaHealthIndicator.name, () => {
  it('should report up when the broker answers', async () => {
    const sut = new KafkaHealthIndicator(testMessagingOptions(brokers), new HealthIndicatorService());

    const result = await sut.isHealthy('kafka');

    expect(result).toEqual({ kafka: expect.objectContaining({ status: 'up', brokers: 1 }) });
  });

  it('should report down within its timeout when no broker listens', async () => {
    const sut = new KafkaHealthIndicator(
      testMessagingOptions(brokers, { brokers: ['127.0.0.1:1'], logLevel: 'nothing' }),
      new HealthIndicatorService(),
    );
    const startedAt = Date.now();

    const result = await sut.isHealthy('kafka', 500);

    expect(result).toEqual({ kafka: expect.objectContaining({ status: 'down' }) });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });
});
