// A form re-rendered with errors moves focus to its error summary, so keyboard and screen-reader
// users start at "There is a problem" and its links to the fields (GOV.UK / USWDS pattern). HTML
// alone cannot do it (autofocus is not valid on a div), and the CSP allows only scripts of our own
// origin, so it is this file; without JavaScript the summary is still the page's first alert and
// its title starts "Error: ".
document.getElementById('error-summary')?.focus();
