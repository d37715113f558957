"""Costi Online (SPEC F-TRE-2, F-X-1, F-X-3): the month's costs, cost centres, holders, assignments."""

from django.urls import path

from .views import assignments, cost_centres, holders, month

app_name = "costs"
urlpatterns = [
    path("", month.month_costs, name="month"),
    path("export/centri-di-costo.csv", month.month_export_centres, name="month_export_centres"),
    path("export/linee.csv", month.month_export_lines, name="month_export_lines"),
    path("centri-di-costo/", cost_centres.cost_centre_list, name="cost_centres"),
    path("centri-di-costo/nuovo/", cost_centres.cost_centre_create, name="cost_centre_create"),
    path("centri-di-costo/<int:cost_centre_id>/modifica/", cost_centres.cost_centre_edit, name="cost_centre_edit"),
    path("centri-di-costo/<int:cost_centre_id>/elimina/", cost_centres.cost_centre_delete, name="cost_centre_delete"),
    path("intestatari/", holders.holder_list, name="holders"),
    path("intestatari/nuovo/", holders.holder_create, name="holder_create"),
    path("intestatari/<int:holder_id>/modifica/", holders.holder_edit, name="holder_edit"),
    path("intestatari/<int:holder_id>/elimina/", holders.holder_delete, name="holder_delete"),
    path("linee/<int:line_id>/assegnazione/", assignments.line_assign, name="line_assign"),
    path("assegnazioni/", assignments.assignment_upload, name="assignment_upload"),
    path("assegnazioni/linee.csv", assignments.assignment_export, name="assignment_export"),
]
