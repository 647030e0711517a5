import { IsString } from 'class-validator';
import { ConfigValidationError, loadConfig } from './load-config';
import { ServiceConfig } from './service-config';

class ExampleConfig extends ServiceConfig {
  override PORT = 3999;

  @IsString()
  GREETING = 'olá';
}

const validEnv = { KAFKA_BROKERS: '127.0.0.1:9092', MONGO_URL: 'mongodb://127.0.0.1:27017/ponte' };

describe(loadConfig.name, () => {
  it('should apply the defaults of the class when a variable is not set', () => {
    const sut = loadConfig(ExampleConfig, validEnv, 'example');

    expect(sut).toBeInstanceOf(ExampleConfig);
    expect(sut.PORT).toBe(3999);
    expect(sut.HOST).toBe('127.0.0.1');
    expect(sut.GREETING).toBe('olá');
  });

  it('should convert numeric strings to the declared number type', () => {
    const sut = loadConfig(
      ExampleConfig,
      { ...validEnv, PORT: '4100', KAFKA_TOPIC_PARTITIONS: '6' },
      'example',
    );

    expect(sut.PORT).toBe(4100);
    expect(sut.KAFKA_TOPIC_PARTITIONS).toBe(6);
  });

  it('should split the broker list', () => {
    const sut = loadConfig(ExampleConfig, { ...validEnv, KAFKA_BROKERS: 'a:9092,b:9093' }, 'example');

    expect(sut.kafkaBrokers).toEqual(['a:9092', 'b:9093']);
  });

  it('should not copy variables the class does not declare', () => {
    const sut = loadConfig(ExampleConfig, { ...validEnv, PATH: '/usr/bin' }, 'example');

    expect(sut).not.toHaveProperty('PATH');
  });

  it('should name every missing required variable when the environment lacks them', () => {
    const error = captureError(() => loadConfig(ExampleConfig, {}, 'router'));

    expect(error).toBeInstanceOf(ConfigValidationError);
    expect(error.message).toMatch(/Invalid configuration of router/);
    expect(error.message).toMatch(/KAFKA_BROKERS is required/);
    expect(error.message).toMatch(/MONGO_URL is required/);
  });

  it('should reject a malformed value naming the variable', () => {
    const error = captureError(() =>
      loadConfig(ExampleConfig, { ...validEnv, PORT: 'eighty', MONGO_URL: 'postgres://x' }, 'sms'),
    );

    expect(error.message).toMatch(/PORT must be an integer number/);
    expect(error.message).toMatch(/MONGO_URL must be a mongodb/);
  });

  it('should treat an empty variable as unset', () => {
    const error = captureError(() =>
      loadConfig(ExampleConfig, { ...validEnv, KAFKA_BROKERS: '' }, 'gateway'),
    );

    expect(error.message).toMatch(/KAFKA_BROKERS is required/);
  });
});

function captureError(action: () => unknown): ConfigValidationError {
  try {
    action();
  } catch (error) {
    return error as ConfigValidationError;
  }
  throw new Error('expected an error');
}
