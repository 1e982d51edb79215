import { describe, expect, it } from '@jest/globals';
import { parseConsoleConfig } from './config.js';

describe('parseConsoleConfig', () => {
  it('means local sign-in when config.json is missing (the local stack answers index.html) or not an object', () => {
    expect(parseConsoleConfig('<!doctype html><html></html>')).toEqual({ auth: 'local' });
    expect(parseConsoleConfig('null')).toEqual({ auth: 'local' });
    expect(parseConsoleConfig('{ "auth": "local" }')).toEqual({ auth: 'local' });
  });

  it('reads Cognito hosted-UI settings and API URLs', () => {
    const text = JSON.stringify({
      auth: 'cognito',
      domain: 'lifeboat-prod-111122223333.auth.eu-west-1.amazoncognito.com',
      clientId: 'abc123',
      redirectUri: 'https://d111.cloudfront.net/',
      graphqlUrl: 'https://api.example.com/graphql',
      webSocketUrl: 'wss://ws.example.com/prod',
    });
    expect(parseConsoleConfig(text)).toEqual({
      auth: 'cognito',
      domain: 'lifeboat-prod-111122223333.auth.eu-west-1.amazoncognito.com',
      clientId: 'abc123',
      redirectUri: 'https://d111.cloudfront.net/',
      graphqlUrl: 'https://api.example.com/graphql',
      webSocketUrl: 'wss://ws.example.com/prod',
    });
  });

  it('refuses a Cognito configuration that misses a setting', () => {
    expect(() => parseConsoleConfig('{ "auth": "cognito", "domain": "x.auth.us-east-1.amazoncognito.com" }')).toThrow(/clientId and redirectUri/);
    expect(() => parseConsoleConfig('{ "auth": "local", "graphqlUrl": 42 }')).toThrow(/graphqlUrl/);
  });
});
