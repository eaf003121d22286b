/* Session page, live: move focus to a stop prompt that has just appeared.
 * A vitals entry (htmx) swaps the prompt in out of band with data-focus; after a full page
 * load (no JavaScript on the form, or a MOAA/S rating) the server marks it the same way.
 * Loaded as a file: the CSP forbids inline script. */
(function () {
  "use strict";
  function focusPrompt() {
    var prompt = document.querySelector("#stop-prompt [data-focus]");
    if (!prompt) { return; }
    prompt.removeAttribute("data-focus");
    prompt.focus();
    prompt.scrollIntoView({ block: "start" });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusPrompt);
  } else {
    focusPrompt();
  }
  document.addEventListener("htmx:afterSettle", focusPrompt);
})();
