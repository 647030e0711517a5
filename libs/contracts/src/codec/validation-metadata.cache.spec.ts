import {
  IsInt,
  IsString,
  MetadataStorage,
  registerDecorator,
  validateSync,
  type ValidatorOptions,
} from 'class-validator';
import { cacheValidationMetadata } from './validation-metadata.cache';

// The process-wide storage is wrapped as soon as the codec is loaded; these tests use their own storage where they
// look inside, and the global one where they validate.
import './contract.codec';

class Ticket {
  @IsString()
  subject!: string;
}

class UrgentTicket extends Ticket {
  @IsInt({ groups: ['sla'] })
  minutes!: number;
}

function ticket<T extends object>(type: new () => T, fields: Partial<T>): T {
  return Object.assign(new type(), fields);
}

function failedProperties(value: object, options: ValidatorOptions = {}): string[] {
  return validateSync(value, options)
    .map((error) => error.property)
    .sort();
}

describe('cacheValidationMetadata', () => {
  it('answers a repeated lookup from memory, with the same rules as class-validator', () => {
    const storage = new MetadataStorage();
    const plain = new MetadataStorage();
    for (const target of [storage, plain]) {
      target.addValidationMetadata({
        target: Ticket,
        propertyName: 'subject',
        type: 'customValidation',
      } as never);
    }
    cacheValidationMetadata(storage);
    const first = storage.getTargetValidationMetadatas(Ticket, '', false, false, undefined);
    expect(storage.getTargetValidationMetadatas(Ticket, '', false, false, undefined)).toBe(first);
    expect(first).toEqual(plain.getTargetValidationMetadatas(Ticket, '', false, false, undefined));
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
  });

  it('forgets what it remembered when a rule is added later', () => {
    const storage = new MetadataStorage();
    cacheValidationMetadata(storage);
    expect(storage.getTargetValidationMetadatas(Ticket, '', false, false, undefined)).toHaveLength(0);
    storage.addValidationMetadata({
      target: Ticket,
      propertyName: 'subject',
      type: 'customValidation',
    } as never);
    expect(storage.getTargetValidationMetadatas(Ticket, '', false, false, undefined)).toHaveLength(1);
  });

  it('wraps a storage once, however often it is installed', () => {
    const storage = new MetadataStorage();
    cacheValidationMetadata(storage);
    const lookup = storage.getTargetValidationMetadatas;
    cacheValidationMetadata(storage);
    expect(storage.getTargetValidationMetadatas).toBe(lookup);
  });

  it.each([
    [{}, ['minutes', 'subject']],
    [{ groups: ['sla'] }, ['minutes']],
    [{ strictGroups: true }, ['subject']],
  ])('validates inherited rules under %j as class-validator does, every time', (options, failed) => {
    const invalid = ticket(UrgentTicket, { subject: 1 as never, minutes: 'x' as never });
    expect(failedProperties(invalid, options)).toEqual(failed);
    expect(failedProperties(invalid, options)).toEqual(failed);
  });

  it('applies a rule registered at run time after the class was validated', () => {
    class Survey {
      score!: number;
    }
    expect(failedProperties(ticket(Survey, { score: 11 }))).toEqual([]);
    registerDecorator({
      target: Survey,
      propertyName: 'score',
      validator: { validate: (value: unknown) => typeof value === 'number' && value <= 10 },
    });
    expect(failedProperties(ticket(Survey, { score: 11 }))).toEqual(['score']);
  });
});
