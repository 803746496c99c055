/* Idle warning: ask the server how long the session has left (without counting as
   activity), warn before the sign-out, and let the person continue. */
(function () {
  "use strict";
  var box = document.querySelector("[data-idle]");
  var dialog = document.querySelector("[data-idle-dialog]");
  if (!box || !dialog) { return; }
  var warning = parseInt(box.dataset.warning, 10) || 120;
  var seconds = dialog.querySelector("[data-seconds]");
  var left = null;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function check() {
    fetch(box.dataset.statusUrl + "?idle-check=1", { credentials: "same-origin" })
      .then(function (r) { return r.ok && !r.redirected ? r.json() : { seconds_left: 0 }; })
      .then(function (body) {
        left = body.seconds_left;
        // The server has ended the session: go to the sign-in page, which says why.
        if (left <= 0) { window.location.href = box.dataset.loginUrl; } else { tick(); }
      });
  }

  function tick() {
    if (left <= warning) {
      seconds.textContent = String(left);
      if (!dialog.open) { dialog.showModal(); }
    }
  }

  dialog.querySelector("[data-keepalive]").addEventListener("click", function () {
    fetch(box.dataset.keepaliveUrl, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() }
    }).then(check);
  });

  setInterval(function () {
    if (left === null || left <= 0) { return; }
    left -= 1;
    if (left <= 0) { check(); } else { tick(); }  // let the server say when it is over
  }, 1000);
  setInterval(check, 30000);
  check();
})();
