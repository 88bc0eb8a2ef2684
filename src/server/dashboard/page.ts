/** The dashboard's one HTML page: a fixed frame the bundled script fills from the API; nothing in it comes from a request. */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>PyAgent fleet</title>
<link rel="icon" href="/dashboard/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/dashboard/app.css">
<script type="module" src="/dashboard/app.js"></script>
</head>
<body>
<header>
  <h1><a href="#/">PyAgent fleet</a></h1>
  <span id="health" class="muted"></span>
  <button id="logout" type="button" class="quiet">Forget token</button>
</header>
<main>
<section id="login" hidden>
  <h2>Sign in</h2>
  <p>This server listens beyond loopback and asks for its bearer token: the <code>fleet-token</code> file in the user config directory on the server's machine. It is kept in this tab only, until the tab closes.</p>
  <form id="login-form" autocomplete="off">
    <label>Bearer token <input id="login-token" type="password" required spellcheck="false"></label>
    <button type="submit">Sign in</button>
  </form>
</section>
<section id="overview" hidden>
  <div class="bar">
    <h2>Figures</h2>
    <label>Span
      <select id="span">
        <option value="24h/hour">last 24 hours, by hour</option>
        <option value="7d/hour">last 7 days, by hour</option>
        <option value="30d/day">last 30 days, by day</option>
      </select>
    </label>
  </div>
  <div id="figures" class="tiles" aria-live="polite"></div>
  <div class="charts">
    <figure><figcaption>Tasks by state</figcaption><div class="chart"><canvas id="chart-states" role="img" aria-label="Tasks ended per bucket by state, and tasks queued and running"></canvas></div></figure>
    <figure><figcaption>Tokens and cost</figcaption><div class="chart"><canvas id="chart-usage" role="img" aria-label="Tokens and cost per bucket"></canvas></div></figure>
    <figure><figcaption>Step latency</figcaption><div class="chart"><canvas id="chart-latency" role="img" aria-label="Median and 95th percentile step duration per bucket"></canvas></div></figure>
    <figure><figcaption>Success and edit-apply rate</figcaption><div class="chart"><canvas id="chart-rates" role="img" aria-label="Success rate and edit-apply rate per bucket"></canvas></div></figure>
  </div>
  <h2>Submit a task</h2>
  <form id="submit-form" class="submit">
    <label class="wide">Repository <input id="submit-repository" name="repository" required placeholder="/path/to/repository or a git URL" spellcheck="false"></label>
    <label class="wide">Task <textarea id="submit-task" name="task" required rows="3" placeholder="What to do"></textarea></label>
    <label>Role <select id="submit-role" name="role"></select></label>
    <label>Priority <select id="submit-priority" name="priority"></select></label>
    <label>Approve <select id="submit-approve" name="approve"></select></label>
    <label>Branch <input id="submit-branch" name="branch" placeholder="HEAD" spellcheck="false"></label>
    <label>Max steps <input id="submit-max-steps" name="maxSteps" type="number" min="1" step="1"></label>
    <button type="submit">Submit</button>
  </form>
  <h2>Tasks</h2>
  <table class="tasks">
    <thead><tr><th>Task</th><th>Status</th><th>Role</th><th>Priority</th><th>Age</th><th class="number">Tokens</th><th class="number">Cost</th></tr></thead>
    <tbody id="task-rows"></tbody>
  </table>
  <p id="no-tasks" class="muted">No tasks yet.</p>
</section>
<section id="task" hidden>
  <p><a href="#/">← all tasks</a></p>
  <h2><span id="task-title"></span> <span id="task-status" class="status"></span></h2>
  <div class="actions">
    <button id="task-cancel" type="button" disabled>Cancel</button>
    <button id="task-apply" type="button" disabled title="Bring the change into the repository's working tree on the server's machine, in one transaction">Apply</button>
    <button id="task-undo" type="button" disabled title="Take the applied change out of the working tree again">Undo</button>
  </div>
  <pre id="task-text" class="task-text"></pre>
  <dl id="task-facts" class="facts"></dl>
  <h3>Change</h3>
  <div id="task-diff"></div>
  <h3>Events</h3>
  <p id="task-stream" class="muted"></p>
  <ol id="task-events" class="events"></ol>
</section>
</main>
<p id="flash" role="status" aria-live="polite"></p>
</body>
</html>
`
