/** The frame: navigation on the left, signed-in operator and role on top. */
import type { ReactNode } from 'react';
import { AppShell, Badge, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { Link, useLocation } from 'wouter';
import { useSession, useSignedIn } from './session';

const NAV = [
  { to: '/messages', label: 'Messages', hint: 'WE02 / BD87' },
  { to: '/dead-letters', label: 'Dead letters & blocked keys', hint: 'stuck work' },
  { to: '/deliveries', label: 'Deliveries & pushback', hint: 'expected vs received' },
  { to: '/serials', label: 'Serials', hint: 'history, recall, alerts' },
  { to: '/forecasts', label: 'Forecasts & stock', hint: 'demand, lead times, stock-outs' },
  { to: '/overview', label: 'Overview', hint: 'throughput, queues, partners' },
  { to: '/audit', label: 'Audit log', hint: 'who did what and why' },
] as const;

export function Shell({ children }: { readonly children: ReactNode }) {
  const [location] = useLocation();
  const session = useSignedIn();
  const { signOut } = useSession();
  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 250, breakpoint: 'sm' }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="xs">
            <Title order={4}>idocgate</Title>
            <Text c="dimmed" size="sm">
              operations console
            </Text>
          </Group>
          <Group gap="xs">
            <Text size="sm" data-testid="operator-name">
              {session.operator}
            </Text>
            <Badge
              color={session.role === 'operator' ? 'blue' : 'gray'}
              variant="light"
              data-testid="operator-role"
            >
              {session.role}
            </Badge>
            <Button size="xs" variant="default" onClick={() => void signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        {NAV.map((n) => (
          <NavLink
            key={n.to}
            component={Link}
            href={n.to}
            label={n.label}
            description={n.hint}
            active={location === n.to || location.startsWith(`${n.to}/`)}
          />
        ))}
        <NavLink href="/docs" label="API (OpenAPI)" description="/docs" target="_blank" />
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
