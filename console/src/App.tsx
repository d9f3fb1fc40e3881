/** Routes of the console (under /console) behind the sign-in gate. */
import { Center, Loader } from '@mantine/core';
import { Redirect, Route, Switch } from 'wouter';
import { Shell } from './Shell';
import { useSession } from './session';
import { AuditPage } from './pages/Audit';
import { DeadLettersPage } from './pages/DeadLetters';
import { DeliveriesPage } from './pages/Deliveries';
import { ForecastsPage } from './pages/Forecasts';
import { MessageDetailPage } from './pages/MessageDetail';
import { MessagesPage } from './pages/Messages';
import { OverviewPage } from './pages/Overview';
import { SerialsPage } from './pages/Serials';
import { SignInPage } from './pages/SignIn';

export function App() {
  const { session, loading } = useSession();
  if (loading)
    return (
      <Center h="100vh">
        <Loader />
      </Center>
    );
  if (session === null) return <SignInPage />;
  return (
    <Shell>
      <Switch>
        <Route path="/">
          <Redirect to="/messages" replace />
        </Route>
        <Route path="/messages" component={MessagesPage} />
        <Route path="/messages/:id">{(p) => <MessageDetailPage id={p.id} />}</Route>
        <Route path="/dead-letters" component={DeadLettersPage} />
        <Route path="/deliveries" component={DeliveriesPage} />
        <Route path="/serials" component={SerialsPage} />
        <Route path="/forecasts" component={ForecastsPage} />
        <Route path="/overview" component={OverviewPage} />
        <Route path="/audit" component={AuditPage} />
        <Route>
          <Redirect to="/messages" replace />
        </Route>
      </Switch>
    </Shell>
  );
}
