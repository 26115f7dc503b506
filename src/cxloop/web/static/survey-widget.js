// cxloop survey widget, served by cxloop itself (no CDN). On your site or in your app's web view:
//   <script src="https://cx.example.com/static/survey-widget.js" defer
//           data-survey="support-csat" data-user-id="u-42" data-label="Give feedback"></script>
// It adds a "Give feedback" button that opens the survey in a new window (channel "web"). With
// data-user-id or data-anonymous-id, the answer lands on that visitor's timeline.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.dataset.survey) {
    return;
  }
  var data = script.dataset;
  var params = new URLSearchParams({ channel: "web" });
  if (data.userId) { params.set("uid", data.userId); }
  if (data.anonymousId) { params.set("aid", data.anonymousId); }
  if (data.place) { params.set("place", data.place); }
  var url = new URL(script.src).origin + "/s/" + encodeURIComponent(data.survey) + "?" + params;

  function mount() {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "cxloop-survey-button";
    button.textContent = data.label || "Give feedback";
    button.title = "Opens a short survey in a new window";
    var style = button.style;
    style.position = "fixed";
    style.right = "1rem";
    style.bottom = "1rem";
    style.zIndex = "2147483000";
    style.padding = "0.75rem 1.25rem";
    style.font = "600 1rem system-ui, sans-serif";
    style.color = "#ffffff";
    style.background = data.colour || "#1d4ed8";
    style.border = "0";
    style.borderRadius = "999px";
    style.cursor = "pointer";
    button.addEventListener("click", function () {
      window.open(url, "cxloop-survey", "noopener,width=520,height=760");
    });
    document.body.appendChild(button);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount);
  } else {
    mount();
  }
})();
