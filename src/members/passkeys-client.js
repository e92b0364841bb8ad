// The pod's passkey buttons (sign-in page and Security page). Served as /app/passkeys.js after the library's bundle,
// which defines window.SimpleWebAuthnBrowser. Without JavaScript or passkey support, the page's forms still work.
(() => {
  const webauthn = window.SimpleWebAuthnBrowser;
  if (!webauthn?.browserSupportsWebAuthn()) return;
  for (const element of document.querySelectorAll("[data-passkey]")) element.hidden = false;
  for (const element of document.querySelectorAll("[data-passkey-unsupported]")) element.hidden = true;
  const csrf = document.querySelector("input[name=_csrf]")?.value ?? "";
  const status = document.getElementById("passkey-status");

  const say = (text) => {
    status.textContent = text;
    status.hidden = false;
  };
  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "csrf-token": csrf },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.detail || status.dataset.failed);
    return answer;
  }
  const failed = (error) => say(error?.name === "Error" ? error.message : status.dataset.failed);

  document.getElementById("passkey-sign-in")?.addEventListener("click", async (event) => {
    const next = event.currentTarget.dataset.next ?? "";
    status.hidden = true;
    try {
      const optionsJSON = await post("/app/sign-in/passkey/options", {});
      const response = await webauthn.startAuthentication({ optionsJSON });
      const done = await post("/app/sign-in/passkey", { response, next });
      window.location.assign(done.redirect);
    } catch (error) {
      failed(error);
    }
  });

  document.getElementById("passkey-add")?.addEventListener("click", async () => {
    status.hidden = true;
    const label = document.getElementById("f-passkeyLabel");
    if (!label.value.trim()) {
      label.reportValidity();
      return;
    }
    try {
      const optionsJSON = await post("/app/passkeys/options", {});
      const response = await webauthn.startRegistration({ optionsJSON });
      await post("/app/passkeys", { label: label.value, response });
      window.location.assign("/app/security?added=1");
    } catch (error) {
      failed(error);
    }
  });
})();
