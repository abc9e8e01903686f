//! Where a webhook delivery is.

crate::text_enum! {
    /// Where a delivery is: `pending` (waiting for its next attempt), `succeeded` (a 2xx
    /// answer) or `failed` (its retries are spent).
    pub enum DeliveryStatus {
        Pending => "pending",
        Succeeded => "succeeded",
        Failed => "failed",
    }
}
