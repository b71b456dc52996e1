/** Shown when the credential is missing, expired or refused: nothing that would fail is offered. */
export function ExpiredView({ text, hint }: { text: string; hint?: string }) {
  return (
    <div className="app expired-view">
      <main className="expired" aria-labelledby="expired-title">
        <div className="card" role="alert">
          <h1 id="expired-title">{text}</h1>
          <p className="muted">{hint ?? 'For your security, console links work for a limited time. Your calls and dispositions so far are saved.'}</p>
        </div>
      </main>
    </div>
  );
}
