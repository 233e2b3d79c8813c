"""Staff circulation desk pages, under /staff/circulation/."""

from django.urls import path

from shelfmark.circulation.views import checkin, checkout, desk, fines, holds, lists, loans, slips

app_name = "circulation"

urlpatterns = [
    path("", desk.home, name="home"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("readers/<int:patron_id>/", checkout.reader, name="reader"),
    path("readers/<int:patron_id>/checkout/", checkout.checkout_scan, name="checkout_scan"),
    path("readers/<int:patron_id>/renew/", loans.renew, name="renew"),
    path("readers/<int:patron_id>/renew-all/", loans.renew_all, name="renew_all"),
    path("readers/<int:patron_id>/lost/", loans.mark_lost, name="lost"),
    path("readers/<int:patron_id>/claimed-returned/", loans.claim_returned, name="claimed_returned"),
    path("readers/<int:patron_id>/pay/", fines.pay, name="pay"),
    path("readers/<int:patron_id>/waive/", fines.waive, name="waive"),
    path("readers/<int:patron_id>/holds/", holds.hold_search, name="hold_search"),
    path("readers/<int:patron_id>/holds/place/", holds.hold_place, name="hold_place"),
    path("readers/<int:patron_id>/holds/cancel/", holds.hold_cancel, name="hold_cancel"),
    path("checkin/", checkin.checkin, name="checkin"),
    path("pull-list/", lists.pull_list, name="pull_list"),
    path("transits/", lists.incoming_transits, name="transits"),
    path("slips/transit/<int:transit_id>/", slips.transit_slip, name="transit_slip"),
    path("slips/hold/<int:hold_id>/", slips.hold_slip, name="hold_slip"),
]
