import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { stubClient } from '@lifeboat/testing';
import { SsmSecretStore, secretParameterName } from '../../src/adapters/secret-stores.js';

const ssm = stubClient(SSMClient);
const store = new SsmSecretStore(new SSMClient({ region: 'us-east-1' }), 'prod');

beforeEach(() => ssm.reset());
afterAll(() => ssm.restore());

const notFound = () => Object.assign(new Error('not found'), { name: 'ParameterNotFound' });

describe('SsmSecretStore', () => {
  it('puts a SecureString under the channel\'s path, overwriting', async () => {
    ssm.on(PutParameterCommand).resolves({ Version: 1 });

    await store.put('ch-1', 'the-secret-value-123');

    expect(ssm.commandCalls(PutParameterCommand)[0]?.args[0].input).toMatchObject({
      Name: '/lifeboat/prod/notification/channels/ch-1/secret',
      Type: 'SecureString',
      Overwrite: true,
      Value: 'the-secret-value-123',
    });
    expect(secretParameterName('prod', 'ch-1')).toBe('/lifeboat/prod/notification/channels/ch-1/secret');
  });

  it('reads it decrypted, and undefined when there is none', async () => {
    ssm.on(GetParameterCommand).resolvesOnce({ Parameter: { Value: 'the-secret-value-123' } }).rejectsOnce(notFound());

    expect(await store.get('ch-1')).toBe('the-secret-value-123');
    expect(ssm.commandCalls(GetParameterCommand)[0]?.args[0].input).toMatchObject({ WithDecryption: true });
    expect(await store.get('ch-2')).toBeUndefined();
  });

  it('deletes, and a missing parameter is already deleted', async () => {
    ssm.on(DeleteParameterCommand).rejects(notFound());

    await expect(store.delete('ch-1')).resolves.toBeUndefined();
  });
});
