package postgres

import (
	"testing"

	"github.com/cloud-pi-native/parcours/internal/analytics"
	"github.com/cloud-pi-native/parcours/internal/analytics/analyticstest"
	"github.com/cloud-pi-native/parcours/internal/pgtest"
)

// The analytics events on PostgreSQL pass the suite every analytics store passes.
func TestAnalyticsStoreConformance(t *testing.T) {
	analyticstest.Run(t, func(t *testing.T) analytics.Store { return open(t, pgtest.URL(t)).Analytics() })
}
