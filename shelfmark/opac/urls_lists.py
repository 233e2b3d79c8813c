"""Public lists: new arrivals, borrowing rankings, staff picks and curated lists, the children's view, their feeds."""

from django.urls import path

from shelfmark.opac.views import children, feeds, lists

urlpatterns = [
    path("new/", lists.new_arrivals, name="new_arrivals"),
    path("new/feed/rss", feeds.NewArrivalsRss(), name="new_arrivals_rss"),
    path("new/feed/atom", feeds.NewArrivalsAtom(), name="new_arrivals_atom"),
    path("rankings/", lists.rankings, name="rankings"),
    path("lists/", lists.book_lists, name="lists"),
    path("lists/<int:list_id>/", lists.book_list, name="list"),
    path("lists/<int:list_id>/feed/rss", feeds.BookListRss(), name="list_rss"),
    path("lists/<int:list_id>/feed/atom", feeds.BookListAtom(), name="list_atom"),
    path("children/", children.children, name="children"),
    path("children/<str:band>/", children.children_band, name="children_band"),
]
