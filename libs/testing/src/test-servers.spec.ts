import { testKafkaBrokers, testMongoUrl } from './test-servers';

describe('test servers', () => {
  const saved = { KAFKA_BROKERS: process.env['KAFKA_BROKERS'], MONGO_URL: process.env['MONGO_URL'] };

  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  describe(testKafkaBrokers.name, () => {
    it('should return KAFKA_BROKERS when it is set', () => {
      process.env['KAFKA_BROKERS'] = '127.0.0.1:1234';

      expect(testKafkaBrokers()).toBe('127.0.0.1:1234');
    });

    it('should name the variable when it is not set', () => {
      delete process.env['KAFKA_BROKERS'];

      expect(() => testKafkaBrokers()).toThrow(/KAFKA_BROKERS is not set/);
    });
  });

  describe(testMongoUrl.name, () => {
    it('should return MONGO_URL unchanged when no database is asked for', () => {
      process.env['MONGO_URL'] = 'mongodb://127.0.0.1:27017/ponte';

      expect(testMongoUrl()).toBe('mongodb://127.0.0.1:27017/ponte');
    });

    it.each([
      ['mongodb://127.0.0.1:27017/ponte', 'mongodb://127.0.0.1:27017/t-1'],
      ['mongodb://127.0.0.1:27017', 'mongodb://127.0.0.1:27017/t-1'],
      ['mongodb://mongo:27017/ponte?replicaSet=rs0', 'mongodb://mongo:27017/t-1?replicaSet=rs0'],
      ['mongodb://u:p@a:1,b:2/?replicaSet=rs0', 'mongodb://u:p@a:1,b:2/t-1?replicaSet=rs0'],
    ])('should replace the database of %s', (url, expected) => {
      process.env['MONGO_URL'] = url;

      expect(testMongoUrl('t-1')).toBe(expected);
    });

    it('should name the variable when it is not set', () => {
      delete process.env['MONGO_URL'];

      expect(() => testMongoUrl('t-1')).toThrow(/MONGO_URL is not set/);
    });
  });
});
