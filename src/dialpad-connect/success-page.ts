const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** The plain page shown in the browser after a successful connect (no script, no secrets). */
export function connectedPage(appName: string, companyId: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Dialpad connected</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style></head>
<body>
<h1>Dialpad connected</h1>
<p><strong>${escapeHtml(appName)}</strong> is now connected to Dialpad company <code>${escapeHtml(companyId)}</code>.</p>
<p>You can close this window.</p>
</body>
</html>
`;
}
