import { Partitioners, type Kafka, type Producer } from 'kafkajs';

/**
 * Idempotent so a retried send cannot write a record twice; kafkajs then requires acks=all and at most one
 * in-flight request per broker, which also keeps the order of a key's records under retries.
 * The default partitioner is Kafka's (murmur2), so keys land where Java clients would put them.
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** Every send waits for all in-sync replicas: "acknowledged" must mean "survives a broker loss". */
export const ACKS_ALL = -1;

/** Connects once, however many callers race to use the client first. */
export class LazyConnection {
  private connecting?: Promise<void>;

  constructor(private readonly open: () => Promise<void>) {}

  ensure(): Promise<void> {
    this.connecting ??= this.open().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  get opened(): boolean {
    return this.connecting !== undefined;
  }

  reset(): void {
    this.connecting = undefined;
  }
}
