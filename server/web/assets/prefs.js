// prefs.js — the preferences form: the global in-app and email switches and one row per
// category. Each change is sent as it is made (PUT with only what changed) and the form
// is drawn again from the server's answer, so it always shows what is stored.

const $ = (id) => document.getElementById(id);

function checkbox(checked, label) {
  const input = document.createElement("input");
  input.type = "checkbox";
  input.checked = checked;
  input.setAttribute("aria-label", label);
  return input;
}

/** The preferences view, talking to `api`. */
export function createPrefs(api) {
  const status = $("prefs-status");
  const rows = $("pref-categories");

  async function save(change) {
    status.textContent = "Saving…";
    try {
      draw(await api.updatePreferences(change));
      status.textContent = "Saved.";
    } catch (err) {
      status.textContent = `Not saved: ${err.message}`;
      await load();
    }
  }

  function categoryRow(name, setting) {
    const tr = document.createElement("tr");
    tr.dataset.category = name;
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = name;
    const inApp = checkbox(setting.inApp ?? true, `${name}: in the inbox`);
    const email = checkbox(setting.email ?? true, `${name}: by email`);
    inApp.addEventListener("change", () => save({ categories: { [name]: { inApp: inApp.checked } } }));
    email.addEventListener("change", () => save({ categories: { [name]: { email: email.checked } } }));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "Remove";
    remove.setAttribute("aria-label", `Remove ${name}`);
    remove.addEventListener("click", () => save({ categories: { [name]: null } }));
    const cells = [inApp, email, remove].map((control) => {
      const td = document.createElement("td");
      td.append(control);
      return td;
    });
    tr.append(th, ...cells);
    return tr;
  }

  function draw(prefs) {
    $("pref-in-app").checked = prefs.inApp;
    $("pref-email").checked = prefs.email;
    const names = Object.keys(prefs.categories).sort();
    rows.replaceChildren(...names.map((name) => categoryRow(name, prefs.categories[name])));
  }

  async function load() {
    try {
      draw(await api.preferences());
      status.textContent = "";
    } catch (err) {
      status.textContent = `Cannot load the preferences: ${err.message}`;
    }
  }

  $("pref-in-app").addEventListener("change", (event) => save({ inApp: event.target.checked }));
  $("pref-email").addEventListener("change", (event) => save({ email: event.target.checked }));
  $("pref-add").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = $("pref-add-name").value.trim();
    if (!name) return;
    await save({ categories: { [name]: { inApp: $("pref-add-in-app").checked, email: $("pref-add-email").checked } } });
    $("pref-add-name").value = "";
  });

  return { load };
}
