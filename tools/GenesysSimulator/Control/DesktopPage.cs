namespace PolyAi.Messaging.GenesysSimulator.Control;

/// <summary>A small agent desktop: waiting and active conversations, accept, reply, end (through /_sim/).</summary>
internal static class DesktopPage
{
    public static void MapDesktopPage(this IEndpointRouteBuilder app) =>
        app.MapGet("/desktop", () => TypedResults.Content(Html, "text/html; charset=utf-8"));

    private const string Html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Genesys Simulator — Agent desktop</title>
        <style>
          body { font: 14px system-ui, sans-serif; margin: 1.5rem; background: #f6f7f9; }
          h1 { font-size: 1.2rem; }
          .conv { background: #fff; border: 1px solid #ccd; border-radius: 6px; padding: .8rem; margin: .6rem 0; max-width: 46rem; }
          .state { font-weight: bold; text-transform: uppercase; font-size: .75rem; padding: .1rem .4rem; border-radius: 3px; background: #ddd; }
          .waiting { background: #ffe08a; } .alerting { background: #ffc9a8; } .active { background: #b6f0b6; } .ended { background: #ddd; }
          .msg { margin: .2rem 0; } .Inbound { color: #134; } .Outbound { color: #516; text-align: right; }
          form { display: flex; gap: .4rem; margin-top: .5rem; } input[type=text] { flex: 1; }
        </style>
        </head>
        <body>
        <h1>Agent desktop <small>(Genesys Simulator — not Genesys)</small></h1>
        <label><input type="checkbox" id="showEnded"> show ended</label>
        <div id="list">Loading…</div>
        <script>
        const list = document.getElementById('list');
        const drafts = {};
        async function act(id, action, body) {
          await fetch(`/_sim/conversations/${id}/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : null });
          await refresh();
        }
        function escapeHtml(s) { return (s ?? '').replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c])); }
        async function refresh() {
          const conversations = await (await fetch('/_sim/conversations')).json();
          const showEnded = document.getElementById('showEnded').checked;
          const visible = conversations.filter(c => showEnded || c.state !== 'ended');
          if (document.activeElement && document.activeElement.dataset.id) return; // don't redraw while typing
          list.innerHTML = visible.length ? '' : '<p>No conversations.</p>';
          for (const c of visible) {
            const div = document.createElement('div');
            div.className = 'conv';
            div.innerHTML = `<div><span class="state ${c.state}">${c.state}</span> <b>${escapeHtml(c.customerName)}</b> <code>${c.id}</code></div>`
              + c.transcript.map(m => `<div class="msg ${m.direction}">${escapeHtml(m.text ?? '(' + m.type + ')')}</div>`).join('')
              + (c.state === 'waiting' || c.state === 'alerting' ? `<button data-act="accept">Accept</button>` : '')
              + (c.state === 'active' ? `<form><input type="text" data-id="${c.id}" placeholder="Reply…" value="${escapeHtml(drafts[c.id])}"><button>Send</button></form>` : '')
              + (c.state !== 'ended' ? ` <button data-act="end">End</button>` : '');
            div.querySelector('[data-act=accept]')?.addEventListener('click', () => act(c.id, 'accept'));
            div.querySelector('[data-act=end]')?.addEventListener('click', () => act(c.id, 'end'));
            const form = div.querySelector('form');
            form?.addEventListener('submit', e => {
              e.preventDefault();
              const input = form.querySelector('input');
              drafts[c.id] = '';
              input.blur();
              if (input.value.trim()) act(c.id, 'reply', { text: input.value });
            });
            form?.querySelector('input').addEventListener('input', e => drafts[c.id] = e.target.value);
            list.appendChild(div);
          }
        }
        refresh();
        setInterval(refresh, 1000);
        </script>
        </body>
        </html>
        """;
}
