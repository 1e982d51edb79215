/** The sign-in page: local users and passwords (POST /auth/login), or a button to Cognito's hosted UI. */
import { useEffect, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import type { ConsoleConfig } from './config.js';
import type { StoredSession } from './token-store.js';
import { startCognitoSignIn } from './cognito.js';

interface LoginAnswer {
  idToken: string;
  expiresIn: number;
  username: string;
  roles: string[];
}

function isLoginAnswer(value: unknown): value is LoginAnswer {
  const v = value as Partial<LoginAnswer> | null;
  return typeof v === 'object' && v !== null && typeof v.idToken === 'string' && typeof v.expiresIn === 'number' && typeof v.username === 'string' && Array.isArray(v.roles);
}

/** POST /auth/login; answers the session or throws the provider's message. */
export async function signInLocally(username: string, password: string): Promise<StoredSession> {
  const response = await fetch('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok || !isLoginAnswer(body)) {
    const message = typeof (body as { error?: unknown } | undefined)?.error === 'string' ? (body as { error: string }).error : `Sign-in failed (HTTP ${response.status}).`;
    throw new Error(message);
  }
  // A little early, so that no request leaves with a token about to expire.
  return { idToken: body.idToken, expiresAt: Date.now() + body.expiresIn * 1000 - 30_000, username: body.username, roles: body.roles };
}

export function SignInPage(props: { config: ConsoleConfig; notice: string | undefined; onSignedIn: (session: StoredSession) => void }): ReactNode {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [submitted, setSubmitted] = useState(false);
  const [signingIn, setSigningIn] = useState(false);
  useEffect(() => {
    document.title = 'Sign in - Lifeboat';
  }, []);

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    setSubmitted(true);
    if (!username || !password) return;
    setSigningIn(true);
    setError(undefined);
    try {
      props.onSignedIn(await signInLocally(username, password));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setSigningIn(false);
    }
  };

  const config = props.config;
  return (
    <Box padding={{ top: 'xxxl', horizontal: 'l' }}>
      <div style={{ maxWidth: 440, margin: '0 auto' }}>
        <SpaceBetween size="l">
          <Box variant="h1" textAlign="center">
            Lifeboat
          </Box>
          {props.notice && <Alert type="info">{props.notice}</Alert>}
          {config.auth === 'cognito' ? (
            <Container header={<Header variant="h2">Sign in</Header>}>
              <SpaceBetween size="m">
                <Box>Sign in with your organisation's Lifeboat account.</Box>
                {error && <Alert type="error">{error}</Alert>}
                <Button variant="primary" onClick={() => void startCognitoSignIn(config).catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))}>
                  Sign in
                </Button>
              </SpaceBetween>
            </Container>
          ) : (
            <form onSubmit={(event) => void submit(event)} aria-label="Sign in">
              <Form
                header={<Header variant="h2">Sign in</Header>}
                errorText={error}
                errorIconAriaLabel="Error"
                actions={
                  <Button variant="primary" formAction="submit" loading={signingIn} data-testid="sign-in">
                    Sign in
                  </Button>
                }
              >
                <Container>
                  <SpaceBetween size="m">
                    <FormField label="User name" errorText={submitted && !username ? 'Enter your user name.' : undefined}>
                      <Input value={username} onChange={({ detail }) => setUsername(detail.value)} autoComplete="username" autoFocus name="username" />
                    </FormField>
                    <FormField label="Password" errorText={submitted && !password ? 'Enter your password.' : undefined}>
                      <Input value={password} onChange={({ detail }) => setPassword(detail.value)} type="password" autoComplete="current-password" name="password" />
                    </FormField>
                  </SpaceBetween>
                </Container>
              </Form>
            </form>
          )}
        </SpaceBetween>
      </div>
    </Box>
  );
}
