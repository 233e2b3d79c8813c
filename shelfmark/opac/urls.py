"""Reader pages, mounted at the site root: /account/... for the reader's own account (interlibrary loans under
/account/ill/), /records/<id>/ for a title."""

from django.urls import include, path

from shelfmark.opac.views import account, auth, booking, display, ill

app_name = "opac"

urlpatterns = [
    path("account/", account.account, name="account"),
    path("account/login/", auth.login, name="login"),
    path("account/logout/", auth.logout, name="logout"),
    path("account/loans/<int:loan_id>/renew/", account.renew, name="renew"),
    path("account/loans/renew-all/", account.renew_all, name="renew_all"),
    path("account/holds/<int:hold_id>/cancel/", account.cancel_hold, name="cancel_hold"),
    path("account/history/", account.history_choice, name="history_choice"),
    path("account/book/", booking.find, name="find"),
    path("account/ill/", ill.requests, name="ill"),
    path("account/ill/<int:request_id>/cancel/", ill.cancel, name="cancel_ill"),
    path("records/<int:record_id>/", booking.record, name="record"),
    path("records/<int:record_id>/hold/", booking.place_hold, name="place_hold"),
    path("display/", display.display, name="display"),
    path("", include("shelfmark.opac.urls_discovery")),
    path("", include("shelfmark.opac.urls_lists")),
]
