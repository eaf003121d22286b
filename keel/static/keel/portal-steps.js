/* Portal scales on a phone: one question per screen.
 *
 * A form marked data-keel-steps shows its questions (fieldset.keel-question) one at a time on a
 * narrow screen, with "Question N of M", Back and Next; the send button appears with the last
 * question. Any question may be left blank, so Next never waits for an answer. Nothing
 * changes on a wide screen or without JavaScript: the whole scale is one page, as the server
 * renders it. After a refused send, the first question with an error is shown.
 * Loaded as a file (no inline script: the CSP forbids it).
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-keel-steps]");
  if (!form || !window.matchMedia) { return; }
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.keel-question"));
  var send = form.querySelector("[data-keel-steps-send]");
  if (questions.length < 2 || !send) { return; }
  var narrow = window.matchMedia("(max-width: 39.99em)");

  var progress = document.createElement("p");
  progress.className = "keel-steps__progress";
  progress.setAttribute("aria-live", "polite");
  questions[0].parentNode.insertBefore(progress, questions[0]);

  var nav = document.createElement("div");
  nav.className = "keel-steps__nav";
  var back = button("Back", "usa-button usa-button--outline usa-button--big");
  var next = button("Next", "usa-button usa-button--big");
  nav.appendChild(back);
  nav.appendChild(next);
  send.parentNode.insertBefore(nav, send);

  var current = 0;
  questions.some(function (question, index) {
    if (question.classList.contains("usa-form-group--error")) { current = index; return true; }
    return false;
  });

  function button(label, className) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = label;
    return element;
  }

  function show(index, moveFocus) {
    current = index;
    var stepping = narrow.matches;
    questions.forEach(function (question, i) { question.hidden = stepping && i !== index; });
    progress.hidden = nav.hidden = !stepping;
    if (!stepping) { send.hidden = false; return; }
    progress.textContent = "Question " + (index + 1) + " of " + questions.length;
    back.hidden = index === 0;
    next.hidden = index === questions.length - 1;
    send.hidden = index !== questions.length - 1;
    if (moveFocus) {
      questions[index].setAttribute("tabindex", "-1");
      questions[index].focus();
      window.scrollTo(0, 0);
    }
  }

  back.addEventListener("click", function () { show(Math.max(0, current - 1), true); });
  next.addEventListener("click", function () { show(Math.min(questions.length - 1, current + 1), true); });
  if (narrow.addEventListener) {
    narrow.addEventListener("change", function () { show(current, false); });
  }
  show(current, false);
}());
