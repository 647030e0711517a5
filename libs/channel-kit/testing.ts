// Test support, imported as `@ponte/channel-kit/testing`. Kept out of the runtime entry point (src/index.ts): it needs
// @ponte/testing and the test servers, which the service images do not ship.
export {
  channelTestEnvironment,
  ChannelServiceHarness,
  startChannelService,
  type ChannelServiceParts,
  type ChannelTestEnvironment,
  type ChannelTestEnvironmentOptions,
} from './src/testing/channel-service.harness';
export { InMemoryOutboundLedger } from './src/testing/in-memory-ledger';
export { InMemoryBlobStore } from './src/testing/in-memory-blob.store';
