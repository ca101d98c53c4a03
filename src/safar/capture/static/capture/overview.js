// The scans page follows the background reader: every few seconds (while the tab is visible) it
// asks capture:status for the counts and updates them in place. When a scan starts waiting for
// review, fails, or an upload is split into pages, the lists below change too: the page reloads
// then — unless the operator has chosen files to upload, which a reload would drop.
(() => {
  const section = document.querySelector("[data-status-url]");
  if (!section) return;
  const url = section.dataset.statusUrl;
  const INTERVAL_MS = 5000;
  const shown = {
    waiting: Number(section.dataset.waiting),
    failed: Number(section.dataset.failed),
    uploads: Number(section.dataset.uploadsWaiting),
  };

  const filesChosen = () =>
    [...document.querySelectorAll("input[type=file]")].some((input) => input.files.length > 0);

  const update = async () => {
    if (document.hidden) return;
    let data;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      data = await response.json();
    } catch {
      return; // offline for a moment: try again at the next tick
    }
    for (const [status, count] of Object.entries(data.counts)) {
      const cell = section.querySelector(`dd[data-status="${status}"]`);
      if (cell) cell.textContent = count;
    }
    const changed =
      data.counts.needs_review !== shown.waiting ||
      data.counts.failed !== shown.failed ||
      data.uploads_waiting !== shown.uploads;
    if (changed && !filesChosen()) window.location.reload();
  };
  setInterval(update, INTERVAL_MS);
})();
