// Child process for the crash test: performs the side effect, reports it, then hangs before the commit until
// the parent kills it with SIGKILL, the way a real process dies between its write and its offset commit.
import { ConsumerRunner } from '../consumer/consumer.runner';
import { TEST_TOPIC, testMessagingOptions } from './messaging-test.harness';

// Arguments, not environment: the parent test owns the configuration.
const [brokers = '', topicPrefix = '', groupId = ''] = process.argv.slice(2);

async function main(): Promise<void> {
  const runner = new ConsumerRunner(testMessagingOptions(brokers.split(','), { topicPrefix }), {
    groupId,
    topics: [TEST_TOPIC],
    handleMessage: async (message) => {
      process.stdout.write(`EFFECT ${message.envelope.id}\n`);
      await new Promise(() => undefined);
    },
  });
  await runner.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
