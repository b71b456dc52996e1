import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { API_KEY_KEY, AGENT_TOKEN_KEY, takeCredential } from './auth';
import { CallsBoard } from './calls/CallsBoard';
import { startBoard } from './calls/connect';
import { ConsoleApp } from './console/ConsoleApp';
import { startConsole } from './console/connect';
import './styles.css';

/** `/console/calls` → the calls board; anything else under /console → the agent console. */
export function pageOf(pathname: string): 'calls' | 'console' {
  return /\/calls\/?$/.test(pathname) ? 'calls' : 'console';
}

const root = document.getElementById('root');
if (root) {
  const env = { location: window.location, history: window.history, storage: window.sessionStorage };
  if (pageOf(window.location.pathname) === 'calls') {
    // read and removed from the address bar before anything else runs
    const apiKey = takeCredential('api_key', API_KEY_KEY, env);
    document.title = 'Live calls · Turbo CTI';
    const runtime = startBoard({ apiKey, storage: window.sessionStorage, location: window.location, events: window });
    createRoot(root).render(
      <StrictMode>
        <CallsBoard store={runtime.store} />
      </StrictMode>,
    );
  } else {
    const token = takeCredential('token', AGENT_TOKEN_KEY, env);
    document.title = 'Agent console · Turbo CTI';
    const runtime = startConsole({ token, storage: window.sessionStorage, location: window.location, events: window });
    createRoot(root).render(
      <StrictMode>
        <ConsoleApp store={runtime.store} />
      </StrictMode>,
    );
  }
}
