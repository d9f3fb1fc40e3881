import '@mantine/core/styles.css';
import 'uplot/dist/uPlot.min.css';
import './console.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Badge, MantineProvider, createTheme } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Router } from 'wouter';
import { ApiError } from './api';
import { App } from './App';
import { SessionProvider } from './session';

const theme = createTheme({
  // System font stack: nothing is fetched from elsewhere.
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  primaryColor: 'blue',
  defaultRadius: 'sm',
  components: {
    // A badge is never cut ("dead · 68" keeps its SAP code): it takes the width of its text.
    Badge: Badge.extend({
      styles: { root: { maxWidth: 'none', flexShrink: 0 }, label: { overflow: 'visible' } },
    }),
  },
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // 4xx answers (not found, forbidden, invalid) do not get better by asking again.
      retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 1,
      refetchOnWindowFocus: false,
      staleTime: 2000,
    },
  },
});

const root = document.getElementById('root');
if (root === null) throw new Error('no #root element');
createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light">
      <QueryClientProvider client={queryClient}>
        <SessionProvider>
          <Router base="/console">
            <App />
          </Router>
        </SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
