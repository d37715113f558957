"""API routes of Costi Online, mounted at /api/v1/."""

from django.urls import path

from . import assignments, cost_centres, holders, month

urlpatterns = [
    path("cost-centres/", cost_centres.CostCentreListView.as_view(), name="cost_centres"),
    path("cost-centres/<int:cost_centre_id>/", cost_centres.CostCentreDetailView.as_view(), name="cost_centre"),
    path("holders/", holders.HolderListView.as_view(), name="holders"),
    path("holders/<int:holder_id>/", holders.HolderDetailView.as_view(), name="holder"),
    path("lines/<int:line_id>/assignment/", assignments.LineAssignmentView.as_view(), name="line_assignment"),
    path("line-assignments/", assignments.AssignmentUploadView.as_view(), name="line_assignments_upload"),
    path("costs/", month.MonthSummaryView.as_view(), name="costs"),
    path("costs/lines/", month.MonthLinesView.as_view(), name="costs_lines"),
    path("costs/holders/", month.MonthHoldersView.as_view(), name="costs_holders"),
]
